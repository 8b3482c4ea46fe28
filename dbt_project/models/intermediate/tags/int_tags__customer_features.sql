{#-
    One row per customer: the documented feature columns tag rules are written over (see
    tag_feature_columns() and _tags__models.yml). RFM and lifecycle come from
    int_customer__rfm_scored, as in dim_customer; days are calendar days up to as_of_at().
-#}
with

rfm as (
    select * from {{ ref('int_customer__rfm_scored') }}
),

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

reach_ids as (
    select * from {{ ref('int_tags__reach_ids') }}
),

home_stores as (
    select * from {{ ref('int_customer__home_store') }}
),

order_behaviour as (
    select * from {{ ref('int_tags__order_behaviour') }}
),

product_interest as (
    select * from {{ ref('int_tags__product_interest') }}
),

intent_signals as (
    select * from {{ ref('int_tags__intent_signals') }}
),

identifier_flags as (
    select
        customer_id,
        max(case when id_type = 'member_id' then 1 else 0 end) = 1 as is_member,
        max(case when id_type = 'app_user_id' then 1 else 0 end) = 1 as is_app_user
    from customer_ids
    group by customer_id
),

channel_flags as (
    select
        customer_id,
        max(case when channel = 'wecom' then 1 else 0 end) = 1 as is_wecom_contact,
        max(case when channel = 'official_account' then 1 else 0 end) = 1 as is_oa_follower,
        max(case when channel = 'mini_program' then 1 else 0 end) = 1 as is_mp_user,
        max(case when channel = 'sms' then 1 else 0 end) = 1 as has_sms_delivered,
        max(case when channel = 'wecom' and is_reachable then 1 else 0 end) = 1 as reachable_wecom,
        max(case when channel = 'official_account' and is_reachable then 1 else 0 end) = 1
            as reachable_official_account,
        max(case when channel = 'mini_program' and is_reachable then 1 else 0 end) = 1 as reachable_mini_program,
        max(case when channel = 'sms' and is_reachable then 1 else 0 end) = 1 as reachable_sms,
        max(case when channel = 'wecom' then owner_guide_id end) as owner_guide_id
    from reach_ids
    group by customer_id
),

features as (
    select
        rfm.customer_id,
        rfm.as_of_at,
        coalesce(identifier_flags.is_member, false) as is_member,
        coalesce(identifier_flags.is_app_user, false) as is_app_user,
        coalesce(channel_flags.is_wecom_contact, false) as is_wecom_contact,
        coalesce(channel_flags.is_oa_follower, false) as is_oa_follower,
        coalesce(channel_flags.is_mp_user, false) as is_mp_user,
        coalesce(channel_flags.has_sms_delivered, false) as has_sms_delivered,
        coalesce(channel_flags.reachable_wecom, false) as reachable_wecom,
        coalesce(channel_flags.reachable_official_account, false) as reachable_official_account,
        coalesce(channel_flags.reachable_mini_program, false) as reachable_mini_program,
        coalesce(channel_flags.reachable_sms, false) as reachable_sms,
        channel_flags.owner_guide_id,
        home_stores.home_store_id,
        rfm.orders_count,
        rfm.gmv,
        rfm.first_order_at,
        rfm.last_order_at,
        rfm.tenure_days as days_since_first_order,
        rfm.recency_days as days_since_last_order,
        rfm.recency_score,
        rfm.frequency_score,
        rfm.monetary_score,
        rfm.rfm_segment,
        rfm.lifecycle_stage,
        order_behaviour.avg_order_value,
        coalesce(order_behaviour.coupon_orders_count, 0) as coupon_orders_count,
        order_behaviour.coupon_order_share,
        order_behaviour.second_order_days_after_first,
        order_behaviour.third_order_days_after_first,
        product_interest.preferred_category,
        product_interest.avg_item_price,
        product_interest.item_price_source,
        {{ days_between('intent_signals.last_viewed_at', 'rfm.as_of_at') }} as days_since_last_view,
        {{ days_between('intent_signals.last_carted_at', 'rfm.as_of_at') }} as days_since_last_cart,
        {{ days_between('intent_signals.last_consulted_at', 'rfm.as_of_at') }} as days_since_last_consult,
        {{ days_between('intent_signals.last_high_value_viewed_at', 'rfm.as_of_at') }} as days_since_high_value_view
    from rfm
    left join identifier_flags
        on rfm.customer_id = identifier_flags.customer_id
    left join channel_flags
        on rfm.customer_id = channel_flags.customer_id
    left join home_stores
        on rfm.customer_id = home_stores.customer_id
    left join order_behaviour
        on rfm.customer_id = order_behaviour.customer_id
    left join product_interest
        on rfm.customer_id = product_interest.customer_id
    left join intent_signals
        on rfm.customer_id = intent_signals.customer_id
)

select * from features
