{#-
    Which campaigns acquired each customer, per attribution model. A customer is acquired by their
    first paid order (any channel); the order's attribution credits (int_order_credits__weighted)
    are the acquisition's, summed per campaign. One row per customer, model and credited campaign;
    a customer whose first order had no campaign touch in the lookback window is not here.
    acquired_customers is the campaign's share of the customer, rounded to 4 decimals so that the
    shares of one customer and model add up to exactly 1 (the campaign with the largest weight, then
    the latest touch, takes the rounding remainder: is_remainder_credit).
-#}
with

order_credits as (
    select * from {{ ref('int_order_credits__weighted') }}
),

per_campaign as (
    select
        customer_id,
        attribution_model,
        campaign_id,
        max(order_key) as acquisition_order_key,
        max(converted_at) as acquired_at,
        max(campaign_channel) as campaign_channel,
        sum(attribution_weight) as attribution_weight,
        count(*) as touches_count,
        max(touched_at) as last_touched_at
    from order_credits
    where is_first_order
    group by customer_id, attribution_model, campaign_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id, attribution_model
            order by attribution_weight desc, last_touched_at desc, campaign_id desc
        ) = 1 as is_remainder_credit
    from per_campaign
),

allocated as (
    select
        {{ surrogate_key(['customer_id', 'attribution_model', 'campaign_id']) }} as acquisition_credit_key,
        customer_id,
        attribution_model,
        campaign_id,
        campaign_channel,
        acquisition_order_key,
        acquired_at,
        cast(acquired_at as date) as acquisition_date,
        attribution_weight,
        touches_count,
        last_touched_at,
        is_remainder_credit,
        {{ roi_allocated_amount(
            '1', 'attribution_weight', ['customer_id', 'attribution_model'], 'is_remainder_credit', scale=4
        ) }} as acquired_customers
    from ranked
)

select * from allocated
