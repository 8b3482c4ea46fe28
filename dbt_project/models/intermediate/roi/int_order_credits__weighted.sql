{#-
    Multi-touch attribution weights: for every paid order of a resolved customer (by as_of_at()),
    the customer's campaign touches on the order's day and the siyu_roi_lookback_days calendar
    days before it (and not after the payment), with one weight per attribution model. One row per
    order, touch and model; a model's weights of one order add up to 1 (zero weights are left out).
    Orders without such a touch are not attributed and have no rows. The models are the rows of the
    seed attribution_models (the registry); each has its weight in the step `weighted` below (a
    registered model without one gets a null weight, which the not_null test of the column fails).
    Touches are ordered by time (then key); "days before" counts calendar days to the payment.
    - first_touch: 1 for the first touch. last_touch: 1 for the last.
    - linear: 1 / touches.
    - position_based: siyu_roi_position_first_share to the first, ..._last_share to the last, the
      rest shared equally by the touches between; one touch gets 1; two share first:last scaled to 1.
    - time_decay: 0.5 ^ (days before / siyu_roi_time_decay_half_life_days), scaled to add up to 1.
    is_first_order marks the customer's first paid order: its credits are the customer's
    acquisition (int_customer_acquisitions__credited), so only touches that can acquire a customer
    (is_acquisition_touch: WeCom, OA and mini-program QR codes and links, app and Douyin ads) count
    for it; SMS and coupons reach people already known and are credited with later orders only.
-#}
{%- set first_share = var('siyu_roi_position_first_share') | float -%}
{%- set last_share = var('siyu_roi_position_last_share') | float -%}
{#- two touches share first:last as doubles: Spark divides decimal literals to 6 places only -#}
{%- set first_share_double = 'cast(' ~ first_share ~ ' as double)' -%}
{%- set last_share_double = 'cast(' ~ last_share ~ ' as double)' -%}
{%- set half_life_days = var('siyu_roi_time_decay_half_life_days') | float -%}

with

orders as (
    select * from {{ ref('int_orders__resolved') }}
),

attribution_models as (
    select * from {{ ref('attribution_models') }}
),

campaign_touches as (
    select * from {{ ref('int_campaign_touches__filtered') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

paid_orders as (
    select
        orders.order_key,
        orders.channel as order_channel,
        orders.customer_id,
        coalesce(orders.paid_at, orders.ordered_at) as converted_at
    from orders
    cross join as_of
    where
        orders.is_paid
        and orders.customer_id is not null
        and coalesce(orders.paid_at, orders.ordered_at) <= as_of.as_of_at
),

conversions as (
    select
        *,
        row_number() over (partition by customer_id order by converted_at, order_key) = 1 as is_first_order
    from paid_orders
),

touches_in_window as (
    select
        conversions.order_key,
        conversions.order_channel,
        conversions.customer_id,
        conversions.converted_at,
        conversions.is_first_order,
        campaign_touches.touchpoint_key,
        campaign_touches.campaign_id,
        campaign_touches.campaign_channel,
        campaign_touches.touch_type,
        campaign_touches.touched_at,
        {{ days_between('campaign_touches.touched_at', 'conversions.converted_at') }} as days_before_conversion
    from conversions
    inner join campaign_touches
        on
            conversions.customer_id = campaign_touches.customer_id
            and conversions.converted_at >= campaign_touches.touched_at
            and {{ days_between('campaign_touches.touched_at', 'conversions.converted_at') }}
            <= {{ var('siyu_roi_lookback_days') }}
            and (campaign_touches.is_acquisition_touch or not conversions.is_first_order)
),

positioned as (
    select
        *,
        row_number() over (partition by order_key order by touched_at, touchpoint_key) as touch_position,
        count(*) over (partition by order_key) as touches_count,
        power(0.5, cast(days_before_conversion as double) / {{ half_life_days }}) as decay_factor
    from touches_in_window
),

weighted as (
    select
        *,
        cast(case when touch_position = 1 then 1 else 0 end as double) as first_touch_weight,
        cast(case when touch_position = touches_count then 1 else 0 end as double) as last_touch_weight,
        1 / cast(touches_count as double) as linear_weight,
        cast(case
            when touches_count = 1 then 1.0
            when touches_count = 2 and touch_position = 1
                then {{ first_share_double }} / ({{ first_share_double }} + {{ last_share_double }})
            when touches_count = 2
                then {{ last_share_double }} / ({{ first_share_double }} + {{ last_share_double }})
            when touch_position = 1 then {{ first_share }}
            when touch_position = touches_count then {{ last_share }}
            else (1 - {{ first_share }} - {{ last_share }}) / cast(touches_count - 2 as double)
        end as double) as position_based_weight,
        decay_factor / sum(decay_factor) over (partition by order_key) as time_decay_weight
    from positioned
),

unpivoted as (
    select
        weighted.order_key,
        weighted.order_channel,
        weighted.customer_id,
        weighted.converted_at,
        weighted.is_first_order,
        weighted.touchpoint_key,
        weighted.campaign_id,
        weighted.campaign_channel,
        weighted.touch_type,
        weighted.touched_at,
        weighted.days_before_conversion,
        weighted.touch_position,
        weighted.touches_count,
        attribution_models.attribution_model,
        case attribution_models.attribution_model
            when 'first_touch' then weighted.first_touch_weight
            when 'last_touch' then weighted.last_touch_weight
            when 'linear' then weighted.linear_weight
            when 'position_based' then weighted.position_based_weight
            when 'time_decay' then weighted.time_decay_weight
        end as attribution_weight
    from weighted
    cross join attribution_models
),

credited as (
    select
        {{ surrogate_key(['order_key', 'touchpoint_key', 'attribution_model']) }} as order_credit_key,
        *
    from unpivoted
    where attribution_weight > 0 or attribution_weight is null
)

select * from credited
