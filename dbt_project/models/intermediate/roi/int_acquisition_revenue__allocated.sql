{#-
    The net revenue of acquired customers, event by event, split over the campaigns that acquired
    them (int_customer_acquisitions__credited), per attribution model: one row per revenue event
    (int_revenue_events__unioned, by as_of_at()), model and credited campaign. Each event's shares
    are rounded to the fen and add up to the event's amount exactly (the customer's remainder
    credit takes the rounding), so any sum over these rows reconciles with the customers' revenue.
    days_since_acquisition counts calendar days from the day of the first paid order.
-#}
with

acquisitions as (
    select * from {{ ref('int_customer_acquisitions__credited') }}
),

revenue_events as (
    select * from {{ ref('int_revenue_events__unioned') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

customer_events as (
    select
        revenue_events.revenue_event_key,
        revenue_events.order_key,
        revenue_events.event_type,
        revenue_events.event_at,
        revenue_events.amount,
        acquisitions.customer_id,
        acquisitions.attribution_model,
        acquisitions.campaign_id,
        acquisitions.campaign_channel,
        acquisitions.acquisition_date,
        acquisitions.attribution_weight,
        acquisitions.is_remainder_credit,
        {{ days_between('acquisitions.acquisition_date', 'revenue_events.event_at') }} as days_since_acquisition
    from revenue_events
    inner join acquisitions
        on revenue_events.customer_id = acquisitions.customer_id
    cross join as_of
    where
        revenue_events.event_at <= as_of.as_of_at
        and revenue_events.event_at >= acquisitions.acquired_at
),

allocated as (
    select
        {{ surrogate_key(['revenue_event_key', 'attribution_model', 'campaign_id']) }} as allocated_revenue_key,
        revenue_event_key,
        order_key,
        customer_id,
        attribution_model,
        campaign_id,
        campaign_channel,
        acquisition_date,
        event_type,
        event_at,
        days_since_acquisition,
        amount as event_amount,
        {{ roi_allocated_amount(
            'amount', 'attribution_weight', ['revenue_event_key', 'attribution_model'], 'is_remainder_credit'
        ) }} as allocated_amount
    from customer_events
)

select * from allocated
