{#-
    One row per customer acquired by as_of_at(): when they reached each funnel stage (seeds
    funnel_stages and funnel_stage_evidence, docs funnel_stages), their current stage, and for
    buyers the three-order follow-up of their first order. Acquisition channel and campaign are
    dim_customer's.
-#}
with

customers as (
    select * from {{ ref('dim_customer') }}
),

customer_stages as (
    select * from {{ ref('int_funnel__customer_stages') }}
),

stages as (
    select * from {{ ref('funnel_stages') }}
),

first_order_followup as (
    select * from {{ ref('int_funnel__first_order_followup') }}
),

stage_times as (
    select
        customer_id,
        max(case when stage = 'acquired' then reached_at end) as acquired_at,
        max(case when stage = 'acquired' then reached_by end) as acquired_by,
        max(case when stage = 'activated' then reached_at end) as activated_at,
        max(case when stage = 'activated' then reached_by end) as activated_by,
        max(case when stage = 'first_order' then reached_at end) as first_order_at,
        max(case when stage = 'second_order' then reached_at end) as second_order_at,
        max(case when stage = 'repeat' then reached_at end) as repeat_order_at,
        max(case when stage = 'referred' then reached_at end) as referred_at,
        max(stage_order) as current_stage_order
    from customer_stages
    group by customer_id
),

final as (
    select
        stage_times.customer_id,
        stage_times.acquired_at,
        stage_times.acquired_by,
        customers.acquisition_channel,
        customers.acquisition_campaign_id,
        stage_times.activated_at,
        stage_times.activated_by,
        stage_times.first_order_at,
        stage_times.second_order_at,
        stage_times.repeat_order_at,
        stage_times.referred_at,
        stages.stage as current_stage,
        stage_times.current_stage_order,
        customers.owner_guide_id,
        customers.home_store_id,
        customers.is_wecom_contact,
        customers.is_oa_follower,
        customers.is_wecom_contact or customers.is_oa_follower as is_settled,
        first_order_followup.first_order_channel,
        first_order_followup.first_order_store_id,
        first_order_followup.first_order_guide_id,
        coalesce(first_order_followup.is_guide_followed_up, false) as is_guide_followed_up,
        first_order_followup.followup_guide_id,
        coalesce(first_order_followup.is_recall_sent, false) as is_recall_sent,
        coalesce(first_order_followup.recall_touches, 0) as recall_touches,
        coalesce(first_order_followup.has_second_order_in_window, false) as has_second_order_in_window,
        coalesce(first_order_followup.has_third_order_in_window, false) as has_third_order_in_window,
        coalesce(first_order_followup.is_mature_for_second_order, false) as is_mature_for_second_order,
        coalesce(first_order_followup.is_mature_for_third_order, false) as is_mature_for_third_order
    from stage_times
    inner join customers
        on stage_times.customer_id = customers.customer_id
    inner join stages
        on stage_times.current_stage_order = stages.stage_order
    left join first_order_followup
        on stage_times.customer_id = first_order_followup.customer_id
    where stage_times.acquired_at is not null
)

select * from final
