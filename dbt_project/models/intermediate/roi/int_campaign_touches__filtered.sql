{#-
    The touches of int_touchpoints__unioned that carry a siyu campaign (their signal maps to one in
    seed campaign_signals) and happened by as_of_at(): the touches attribution gives credit to.
    Acquisition touches (WeCom QR code, OA QR code, mini-program utm, app utm, Douyin live room)
    and reach touches (SMS journeys, coupons) both count: either can move a customer to order.
-#}
with

touchpoints as (
    select * from {{ ref('int_touchpoints__unioned') }}
),

campaigns as (
    select * from {{ ref('campaigns') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

campaign_touches as (
    select
        touchpoints.touchpoint_key,
        touchpoints.customer_id,
        touchpoints.campaign_id,
        campaigns.channel as campaign_channel,
        touchpoints.channel as touch_channel,
        touchpoints.touch_type,
        touchpoints.signal_type,
        touchpoints.signal_value,
        touchpoints.touched_at,
        touchpoints.is_acquisition_touch
    from touchpoints
    inner join campaigns
        on touchpoints.campaign_id = campaigns.campaign_id
    cross join as_of
    where touchpoints.touched_at <= as_of.as_of_at
)

select * from campaign_touches
