{#-
    The three-order strategy (三单策略) per first order, as of as_of_at(): did a second order follow
    within var siyu_funnel_second_order_days calendar days (1: by the end of the next day) and a
    third within siyu_funnel_third_order_days (7); did a guide follow up 1v1; was a recall coupon or
    reminder sent.
    - 1v1 follow-up (proxy: WeCom has no chat export): the customer became the WeCom contact of a
      guide before the first order or within siyu_funnel_followup_hours after it.
    - Recall: a touch of the types in siyu_funnel_recall_touch_types (coupon issued, SMS delivered)
      after the first order, before the second and within siyu_funnel_recall_days of the first.
    A first order too recent for a window to have passed is not mature for it (is_mature_for_*).
-#}
{%- set recall_touch_types = funnel_sql_list(var('siyu_funnel_recall_touch_types')) -%}

with

credited_orders as (
    select * from {{ ref('int_funnel__credited_orders') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints__unioned') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

first_three_orders as (
    select
        customer_id,
        max(case when customer_order_number = 1 then order_key end) as first_order_key,
        max(case when customer_order_number = 1 then ordered_at end) as first_order_at,
        max(case when customer_order_number = 1 then channel end) as first_order_channel,
        max(case when customer_order_number = 1 then credited_store_id end) as first_order_store_id,
        max(case when customer_order_number = 1 then credited_guide_id end) as first_order_guide_id,
        max(case when customer_order_number = 2 then ordered_at end) as second_order_at,
        max(case when customer_order_number = 3 then ordered_at end) as third_order_at
    from credited_orders
    where customer_id is not null and customer_order_number <= 3
    group by customer_id
),

guide_contacts as (
    select
        first_three_orders.customer_id,
        touchpoints.guide_id,
        touchpoints.touched_at as contact_added_at,
        row_number() over (
            partition by first_three_orders.customer_id
            order by touchpoints.touched_at, touchpoints.guide_id
        ) as contact_rank
    from first_three_orders
    inner join touchpoints
        on first_three_orders.customer_id = touchpoints.customer_id
    cross join as_of
    where
        touchpoints.touch_type = 'wecom_contact_added'
        and touchpoints.guide_id is not null
        and touchpoints.touched_at <= as_of.as_of_at
        and touchpoints.touched_at <= {{ dbt.dateadd(
            'hour', var('siyu_funnel_followup_hours'), 'first_three_orders.first_order_at'
        ) }}
),

recall_touches as (
    select
        first_three_orders.customer_id,
        count(*) as recall_touches,
        min(touchpoints.touched_at) as first_recall_at
    from first_three_orders
    inner join touchpoints
        on first_three_orders.customer_id = touchpoints.customer_id
    cross join as_of
    where
        touchpoints.touch_type in {{ recall_touch_types }}
        and touchpoints.touched_at > first_three_orders.first_order_at
        and touchpoints.touched_at <= as_of.as_of_at
        and touchpoints.touched_at <= {{ dbt.dateadd(
            'day', var('siyu_funnel_recall_days'), 'first_three_orders.first_order_at'
        ) }}
        and (
            first_three_orders.second_order_at is null
            or touchpoints.touched_at < first_three_orders.second_order_at
        )
    group by first_three_orders.customer_id
),

followed_up as (
    select
        first_three_orders.*,
        guide_contacts.guide_id as followup_guide_id,
        guide_contacts.contact_added_at as followup_contact_added_at,
        guide_contacts.customer_id is not null as is_guide_followed_up,
        coalesce(recall_touches.recall_touches, 0) as recall_touches,
        recall_touches.first_recall_at,
        recall_touches.customer_id is not null as is_recall_sent,
        {{ days_between('first_three_orders.first_order_at', 'as_of.as_of_at') }} as days_since_first_order,
        {{ days_between('first_three_orders.first_order_at', 'first_three_orders.second_order_at') }}
            as days_to_second_order,
        {{ days_between('first_three_orders.first_order_at', 'first_three_orders.third_order_at') }}
            as days_to_third_order
    from first_three_orders
    cross join as_of
    left join guide_contacts
        on first_three_orders.customer_id = guide_contacts.customer_id and guide_contacts.contact_rank = 1
    left join recall_touches
        on first_three_orders.customer_id = recall_touches.customer_id
    where first_three_orders.first_order_at is not null
),

flagged as (
    select
        customer_id,
        first_order_key,
        first_order_at,
        first_order_channel,
        first_order_store_id,
        first_order_guide_id,
        second_order_at,
        third_order_at,
        is_guide_followed_up,
        followup_guide_id,
        followup_contact_added_at,
        is_recall_sent,
        recall_touches,
        first_recall_at,
        coalesce(days_to_second_order <= {{ var('siyu_funnel_second_order_days') }}, false)
            as has_second_order_in_window,
        coalesce(days_to_third_order <= {{ var('siyu_funnel_third_order_days') }}, false)
            as has_third_order_in_window,
        days_since_first_order > {{ var('siyu_funnel_second_order_days') }} as is_mature_for_second_order,
        days_since_first_order > {{ var('siyu_funnel_third_order_days') }} as is_mature_for_third_order
    from followed_up
)

select * from flagged
