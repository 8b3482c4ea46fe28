{{
    config(
        unique_key='customer_id',
        on_schema_change='fail',
        post_hook="{{ remove_rows_marked_gone('acquired_at') }}",
    )
}}
{#-
    One row per customer acquired by as_of_at(): when they reached each funnel stage (seeds
    funnel_stages and funnel_stage_evidence, docs funnel_stages), their current stage, and for
    buyers the three-order follow-up of their first order. Acquisition channel and campaign are
    dim_customer's.

    Incremental on DuckDB (docs/schedules.md): the stage times are computed again for the
    customers int_funnel__touched_customers lists and kept for everyone else (they are the kept
    row's); every row is then joined with the customer and the follow-up as they are now and
    compared with the kept one, and only the rows that start, change or go are written. A row
    that goes (a customer merged into another, or no longer acquired by as_of) is written with a
    null acquired_at, which the post-hook remove_rows_marked_gone deletes. A column added to the
    model and not to compared_columns, or a kept table with other columns, stops the build (macro
    require_kept_columns). On Spark and on a full refresh, a table of everyone.
-#}
{%- set stage_time_columns = [
    'acquired_at', 'acquired_by', 'activated_at', 'activated_by', 'first_order_at',
    'second_order_at', 'repeat_order_at', 'referred_at', 'current_stage_order',
] -%}
{#- the columns compared with the kept row: every one but the key -#}
{%- set compared_columns = stage_time_columns + [
    'acquisition_channel', 'acquisition_campaign_id', 'current_stage', 'owner_guide_id',
    'home_store_id', 'is_wecom_contact', 'is_oa_follower', 'is_settled', 'first_order_channel',
    'first_order_store_id', 'first_order_guide_id', 'is_guide_followed_up', 'followup_guide_id',
    'is_recall_sent', 'recall_touches', 'has_second_order_in_window', 'has_third_order_in_window',
    'is_mature_for_second_order', 'is_mature_for_third_order',
] -%}
{{ require_kept_columns(['customer_id'] + compared_columns) }}
-- depends_on: {{ ref('int_funnel__touched_customers') }}
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
    {{- only_touched_customers(ref('int_funnel__touched_customers')) }}
    group by customer_id
),

{% if is_incremental() -%}
kept as (
    select * from {{ this }}
),

{% endif -%}
-- on an incremental build the customers the funnel evidence did not touch reached their stages
-- when the kept row says
stage_times_now as (
    select * from stage_times
    {%- if is_incremental() %}
    union all
    select
        kept.customer_id,
        {%- for column in stage_time_columns %}
        kept.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from kept
    where kept.customer_id not in (
        select customer_id from {{ ref('int_funnel__touched_customers') }}
        where customer_id is not null
    )
    {%- endif %}
),

customer_funnel as (
    select
        stage_times_now.customer_id,
        stage_times_now.acquired_at,
        stage_times_now.acquired_by,
        customers.acquisition_channel,
        customers.acquisition_campaign_id,
        stage_times_now.activated_at,
        stage_times_now.activated_by,
        stage_times_now.first_order_at,
        stage_times_now.second_order_at,
        stage_times_now.repeat_order_at,
        stage_times_now.referred_at,
        stages.stage as current_stage,
        stage_times_now.current_stage_order,
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
    from stage_times_now
    inner join customers
        on stage_times_now.customer_id = customers.customer_id
    inner join stages
        on stage_times_now.current_stage_order = stages.stage_order
    left join first_order_followup
        on stage_times_now.customer_id = first_order_followup.customer_id
    where stage_times_now.acquired_at is not null
),

{% if is_incremental() -%}
-- the rows that start or change, and those that go (a null acquired_at; post-hook)
changed as (
    {{ changed_rows('customer_funnel', 'kept', 'customer_id', compared_columns, compared_columns) }}
),

{% endif -%}
final as (
    select
        customer_id,
        acquired_at,
        acquired_by,
        acquisition_channel,
        acquisition_campaign_id,
        activated_at,
        activated_by,
        first_order_at,
        second_order_at,
        repeat_order_at,
        referred_at,
        current_stage,
        current_stage_order,
        owner_guide_id,
        home_store_id,
        is_wecom_contact,
        is_oa_follower,
        is_settled,
        first_order_channel,
        first_order_store_id,
        first_order_guide_id,
        is_guide_followed_up,
        followup_guide_id,
        is_recall_sent,
        recall_touches,
        has_second_order_in_window,
        has_third_order_in_window,
        is_mature_for_second_order,
        is_mature_for_third_order
    from {{ 'changed' if is_incremental() else 'customer_funnel' }}
)

select * from final
