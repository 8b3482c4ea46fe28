{#-
    Every attributed order's net revenue split over its campaign touches, side by side for each
    attribution model: one row per order, attribution model and credited touch. An order is
    attributed when its customer had a campaign touch on the order's day or in the
    siyu_roi_lookback_days days before. order_revenue is the order's net revenue by as_of_at()
    (payments less the refunds made by then); attributed_revenue is this touch's share, rounded to
    the fen, and the shares of one order and model add up to order_revenue exactly.
-#}
with

order_credits as (
    select * from {{ ref('int_order_credits__weighted') }}
),

revenue_events as (
    select * from {{ ref('int_revenue_events__unioned') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

order_revenue as (
    select
        revenue_events.order_key,
        sum(revenue_events.amount) as order_revenue
    from revenue_events
    cross join as_of
    where revenue_events.event_at <= as_of.as_of_at
    group by revenue_events.order_key
),

ranked as (
    select
        order_credits.*,
        cast(coalesce(order_revenue.order_revenue, 0) as {{ money_type() }}) as order_revenue,
        row_number() over (
            partition by order_credits.order_key, order_credits.attribution_model
            order by order_credits.attribution_weight desc, order_credits.touch_position desc
        ) = 1 as is_remainder_credit
    from order_credits
    left join order_revenue
        on order_credits.order_key = order_revenue.order_key
),

final as (
    select
        order_credit_key,
        order_key,
        attribution_model,
        touchpoint_key,
        customer_id,
        order_channel,
        converted_at,
        is_first_order,
        campaign_id,
        campaign_channel,
        touch_type,
        touched_at,
        days_before_conversion,
        touch_position,
        touches_count,
        attribution_weight,
        order_revenue,
        {{ roi_allocated_amount(
            'order_revenue', 'attribution_weight', ['order_key', 'attribution_model'], 'is_remainder_credit'
        ) }} as attributed_revenue
    from ranked
)

select * from final
