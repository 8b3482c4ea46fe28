{#-
    Net revenue as events in time: one row per payment (+) and per refund (-) of every paid order,
    at the moment it happened, so a refund lowers revenue from its own day on and not before.
    Per order the events add up to int_orders__resolved.net_amount.
    A selling channel whose export dates its payments and refunds (registry property
    revenue_records) delivers them through its own model int_revenue_events__<channel>
    (refund_time_source 'refund_record'). The other selling channels' exports carry no refund
    time: their events come from their orders, the refund put at the payment time
    (refund_time_source 'assumed_at_payment'), so these orders count net of their refund at
    every horizon.
-#}
{%- set event_columns = [
    'order_key', 'source_record_key', 'event_type', 'event_at', 'amount', 'refund_time_source',
] -%}
with

orders as (
    select * from {{ ref('int_orders__resolved') }}
),

-- the selling channels whose revenue events are their orders' payment and refund
orders_without_revenue_records as (
    select * from orders
    where {{ channel_property_sql('channel', 'revenue_records') }} is null
),

order_payments as (
    select
        order_key,
        order_key as source_record_key,
        'payment' as event_type,
        coalesce(paid_at, ordered_at) as event_at,
        gross_amount as amount,
        cast(null as {{ dbt.type_string() }}) as refund_time_source
    from orders_without_revenue_records
    where is_paid and gross_amount != 0
),

order_refunds as (
    select
        order_key,
        order_key as source_record_key,
        'refund' as event_type,
        coalesce(paid_at, ordered_at) as event_at,
        -refund_amount as amount,
        'assumed_at_payment' as refund_time_source
    from orders_without_revenue_records
    where is_paid and refund_amount != 0
),

events as (
    select * from order_payments
    union all
    select * from order_refunds
    {%- if channel_names('revenue_records') %}
        union all
        {{ union_channel_models('revenue_events', 'revenue_records', event_columns) }}
    {%- endif %}
),

with_customer as (
    select
        {{ surrogate_key(['events.order_key', 'events.event_type', 'events.source_record_key']) }}
            as revenue_event_key,
        events.order_key,
        orders.channel,
        orders.customer_id,
        events.event_type,
        events.event_at,
        cast(events.amount as {{ money_type() }}) as amount,
        events.refund_time_source
    from events
    inner join orders
        on events.order_key = orders.order_key
    where events.amount != 0
)

select * from with_customer
