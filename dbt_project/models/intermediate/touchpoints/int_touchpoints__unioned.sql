{#-
    Every touch between a customer and the brand that siyu can see, with its campaign signal
    where the source carries one (docs: touchpoint_signals). One row per touch. The orders of the
    channels with an order_touch_type in the channel registry are touches of that type.
-#}
with

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

campaign_signals as (
    select * from {{ ref('campaign_signals') }}
),

wecom_contacts as (
    select * from {{ ref('stg_wecom__contacts') }}
),

oa_followers as (
    select * from {{ ref('stg_wechat_oa__followers') }}
),

mp_users as (
    select * from {{ ref('stg_wechat_mp__users') }}
),

app_events as (
    select * from {{ ref('stg_app__events') }}
),

pos_members as (
    select * from {{ ref('stg_pos__members') }}
),

sms_sends as (
    select * from {{ ref('stg_sms__sends') }}
),

wechatpay_coupons as (
    select * from {{ ref('stg_wechatpay__coupons') }}
),

channel_orders as (
    select * from {{ ref('int_orders__unioned') }}
),

douyin_order_items as (
    select * from {{ ref('stg_douyin__order_items') }}
),

app_touches as (
    select
        event_key as source_record_key,
        coalesce(app_user_id, device_id) as id_value,
        case when app_user_id is not null then 'app_user_id' else 'device_id' end as id_type,
        event_at as touched_at,
        utm_campaign,
        row_number() over (
            partition by coalesce(app_user_id, device_id) order by event_at, event_key
        ) as touch_sequence
    from app_events
    where coalesce(app_user_id, device_id) is not null
),

touches as (
    select
        'wecom' as channel,
        'wecom_contact_added' as touch_type,
        contact_follow_id as source_record_key,
        'wecom_external_userid' as id_type,
        external_userid as id_value,
        added_at as touched_at,
        'wecom_state' as signal_type,
        channel_code as signal_value,
        guide_userid as guide_id,
        true as is_acquisition_touch
    from wecom_contacts
    union all
    select
        'official_account' as channel,
        'oa_followed' as touch_type,
        oa_openid as source_record_key,
        'oa_openid' as id_type,
        oa_openid as id_value,
        subscribed_at as touched_at,
        'oa_qr_scene_str' as signal_type,
        qr_scene_str as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        true as is_acquisition_touch
    from oa_followers
    where subscribed_at is not null
    union all
    select
        'mini_program' as channel,
        'mp_registered' as touch_type,
        mp_openid as source_record_key,
        'mp_openid' as id_type,
        mp_openid as id_value,
        registered_at as touched_at,
        'mp_utm_campaign' as signal_type,
        utm_campaign as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        true as is_acquisition_touch
    from mp_users
    union all
    -- an app user's first event, and every later event that carries a campaign
    select
        'app' as channel,
        case when touch_sequence = 1 then 'app_first_seen' else 'app_campaign_visit' end as touch_type,
        source_record_key,
        id_type,
        id_value,
        touched_at,
        'app_utm_campaign' as signal_type,
        utm_campaign as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        true as is_acquisition_touch
    from app_touches
    where touch_sequence = 1 or utm_campaign is not null
    union all
    select
        'store' as channel,
        'member_registered' as touch_type,
        member_id as source_record_key,
        'member_id' as id_type,
        member_id as id_value,
        registered_at as touched_at,
        cast(null as {{ dbt.type_string() }}) as signal_type,
        cast(null as {{ dbt.type_string() }}) as signal_value,
        guide_id,
        true as is_acquisition_touch
    from pos_members
    union all
    -- shops whose order is the brand's only sight of the buyer: each order is an acquisition touch
    -- of the type the channel registry gives as order_touch_type
    select
        channel,
        {{ order_touch_type('channel') }} as touch_type,
        order_id as source_record_key,
        buyer_id_type as id_type,
        buyer_id_value as id_value,
        ordered_at as touched_at,
        cast(null as {{ dbt.type_string() }}) as signal_type,
        cast(null as {{ dbt.type_string() }}) as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        true as is_acquisition_touch
    from channel_orders
    where {{ order_touch_type('channel') }} is not null
    union all
    select
        'douyin' as channel,
        'douyin_order' as touch_type,
        main_order_id as source_record_key,
        'douyin_buyer' as id_type,
        max(buyer_key_hash) as id_value,
        min(submitted_at) as touched_at,
        'douyin_live_room_id' as signal_type,
        max(live_room_id) as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        true as is_acquisition_touch
    from douyin_order_items
    group by main_order_id
    union all
    select
        'sms' as channel,
        'sms_delivered' as touch_type,
        sms_send_id as source_record_key,
        'phone_hash' as id_type,
        phone_hash as id_value,
        sent_at as touched_at,
        'sms_out_id' as signal_type,
        out_id as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        false as is_acquisition_touch
    from sms_sends
    where is_delivered
    union all
    select
        'coupon' as channel,
        'coupon_issued' as touch_type,
        coupon_id as source_record_key,
        'mp_openid' as id_type,
        mp_openid as id_value,
        issued_at as touched_at,
        'coupon_stock_id' as signal_type,
        stock_id as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        false as is_acquisition_touch
    from wechatpay_coupons
),

resolved as (
    select
        {{ surrogate_key(['touches.touch_type', 'touches.source_record_key']) }} as touchpoint_key,
        customer_ids.customer_id,
        touches.channel,
        touches.touch_type,
        touches.touched_at,
        touches.signal_type,
        touches.signal_value,
        campaign_signals.campaign_id,
        touches.guide_id,
        touches.is_acquisition_touch,
        touches.id_type,
        touches.source_record_key
    from touches
    inner join customer_ids
        on
            touches.id_type = customer_ids.id_type
            and touches.id_value = customer_ids.id_value
    left join campaign_signals
        on
            touches.signal_type = campaign_signals.signal_type
            and touches.signal_value = campaign_signals.signal_value
    where touches.touched_at is not null
),

-- a customer's devices and login each start an app trail: keep only their first app touch
first_app_touch_per_customer as (
    select
        *,
        case
            when touch_type = 'app_first_seen'
                then row_number() over (
                        partition by customer_id, touch_type order by touched_at, touchpoint_key
                    )
            else 1
        end as touch_rank
    from resolved
),

final as (
    select
        touchpoint_key,
        customer_id,
        channel,
        touch_type,
        touched_at,
        signal_type,
        signal_value,
        campaign_id,
        guide_id,
        is_acquisition_touch,
        id_type,
        source_record_key
    from first_app_touch_per_customer
    where touch_rank = 1
)

select * from final
