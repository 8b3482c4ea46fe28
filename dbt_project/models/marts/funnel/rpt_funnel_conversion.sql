{#-
    Funnel conversion by acquisition cohort: for each cohort period (day, week, month, and `all`
    customers at once), acquisition channel and campaign (each also rolled up as '(all)'), and
    funnel stage - how many customers reached the stage, and the conversion rate from the stage's
    previous stage (seed funnel_stages) within the stage's conversion window.
    Denominators are explicit: only customers whose window has fully passed by as_of_at() are
    eligible; those still inside it are counted as not yet mature, not as failures.
-#}
{#- each cohort grain and the column that holds a customer's cohort period for it -#}
{%- set cohort_grains = [
    ('day', 'acquired_day'),
    ('week', 'acquired_week'),
    ('month', 'acquired_month'),
    ('all', 'first_acquired_day'),
] %}
{#- what a customer x stage row is counted by: its cohort day (with the week, month and `all` the
    day lies in), channel, campaign and stage -#}
{%- set cohort_day_columns = [
    'acquired_day',
    'acquired_week',
    'acquired_month',
    'first_acquired_day',
    'acquisition_channel',
    'acquisition_campaign_id',
    'stage',
] %}
{#- the counts, summed from cohort days to every grain -#}
{%- set count_columns = [
    'cohort_customers',
    'customers_entered',
    'customers_at_previous_stage',
    'customers_eligible',
    'customers_not_yet_mature',
    'customers_converted',
] %}
with

customers as (
    select * from {{ ref('fct_customer_funnel') }}
),

customer_stages as (
    select * from {{ ref('int_funnel__customer_stages') }}
),

stages as (
    select * from {{ ref('funnel_stages') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

customer_cohorts as (
    select
        customer_id,
        coalesce(acquisition_channel, '(none)') as acquisition_channel,
        coalesce(acquisition_campaign_id, '(none)') as acquisition_campaign_id,
        cast(acquired_at as date) as acquired_day,
        cast({{ dbt.date_trunc('week', 'acquired_at') }} as date) as acquired_week,
        cast({{ dbt.date_trunc('month', 'acquired_at') }} as date) as acquired_month,
        min(cast(acquired_at as date)) over () as first_acquired_day
    from customers
),

stage_progress as (
    select
        customers.customer_id,
        stages.stage,
        stages.stage_order,
        stages.previous_stage,
        stages.conversion_window_days,
        this_stage.reached_at,
        previous_stage.reached_at as previous_reached_at,
        {{ dbt.dateadd('day', 'stages.conversion_window_days', 'previous_stage.reached_at') }}
            as window_ends_at
    from customers
    cross join stages
    left join customer_stages as this_stage
        on
            customers.customer_id = this_stage.customer_id
            and stages.stage = this_stage.stage
    left join customer_stages as previous_stage
        on
            customers.customer_id = previous_stage.customer_id
            and stages.previous_stage = previous_stage.stage
),

judged as (
    select
        stage_progress.customer_id,
        stage_progress.stage,
        stage_progress.stage_order,
        stage_progress.previous_stage,
        stage_progress.conversion_window_days,
        stage_progress.reached_at,
        stage_progress.previous_reached_at,
        as_of.as_of_at,
        coalesce(stage_progress.window_ends_at <= as_of.as_of_at, false) as is_eligible,
        coalesce(stage_progress.reached_at <= stage_progress.window_ends_at, false)
            as is_converted_in_window,
        -- a stage reached before its previous one counts as reached at once (0 days)
        case
            when stage_progress.reached_at >= stage_progress.previous_reached_at
                then {{ funnel_elapsed_days('stage_progress.previous_reached_at', 'stage_progress.reached_at') }}
            when stage_progress.reached_at is not null and stage_progress.previous_reached_at is not null
                then 0
        end as days_from_previous
    from stage_progress
    cross join as_of
),

-- each customer's stages with the cohorts the customer belongs to
judged_cohorts as (
    select
        customer_cohorts.acquired_day,
        customer_cohorts.acquired_week,
        customer_cohorts.acquired_month,
        customer_cohorts.first_acquired_day,
        customer_cohorts.acquisition_channel,
        customer_cohorts.acquisition_campaign_id,
        judged.stage,
        judged.reached_at,
        judged.previous_reached_at,
        judged.is_eligible,
        judged.is_converted_in_window,
        judged.days_from_previous
    from customer_cohorts
    inner join judged
        on customer_cohorts.customer_id = judged.customer_id
),

-- the counts per cohort day, channel, campaign and stage: every count of every grain is a sum of
-- these (a day lies in one week, one month and `all`), so the customers x stages rows are grouped
-- once rather than once per grain (scale 10: 9.7 million rows)
counts_by_cohort_day as (
    select
        {%- for column in cohort_day_columns %}
            {{ column }},
        {%- endfor %}
        count(*) as cohort_customers,
        count(reached_at) as customers_entered,
        count(previous_reached_at) as customers_at_previous_stage,
        count(case when is_eligible then 1 end) as customers_eligible,
        count(case when previous_reached_at is not null and not is_eligible then 1 end)
            as customers_not_yet_mature,
        count(case when is_eligible and is_converted_in_window then 1 end) as customers_converted
    from judged_cohorts
    group by {{ cohort_day_columns | join(', ') }}
),

-- the cohort-day counts and, beside them, the days of each customer converted in their window:
-- the sums of the counts skip the rows of days, the median of the days the rows of counts
measures_by_cohort_day as (
    select
        {%- for column in cohort_day_columns + count_columns %}
            {{ column }},
        {%- endfor %}
        cast(null as double) as days_from_previous
    from counts_by_cohort_day
    union all
    select
        {%- for column in cohort_day_columns %}
            {{ column }},
        {%- endfor %}
        {%- for column in count_columns %}
            cast(null as {{ dbt.type_bigint() }}) as {{ column }},
        {%- endfor %}
        days_from_previous
    from judged_cohorts
    where is_eligible and is_converted_in_window and days_from_previous is not null
),

-- per cohort grain, one pass for every level of detail (channel and campaign, channel,
-- everything): rollup instead of a copy of each row per level. Grouped by the stage alone; its
-- attributes are joined after
aggregated as (
    {%- for cohort_grain, cohort_period in cohort_grains %}
        select
            '{{ cohort_grain }}' as cohort_grain,
            {{ cohort_period }} as cohort_start,
            case
                when grouping(acquisition_channel) = 1 then '(all)' else acquisition_channel
            end as acquisition_channel,
            case
                when grouping(acquisition_campaign_id) = 1 then '(all)' else acquisition_campaign_id
            end as acquisition_campaign_id,
            stage,
            {%- for column in count_columns %}
                cast(sum({{ column }}) as {{ dbt.type_bigint() }}) as {{ column }},
            {%- endfor %}
            {{ funnel_median('days_from_previous') }} as median_days_from_previous
        from measures_by_cohort_day
        group by
            {{ cohort_period }},
            stage,
            rollup(acquisition_channel, acquisition_campaign_id)
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        aggregated.cohort_grain,
        aggregated.cohort_start,
        aggregated.acquisition_channel,
        aggregated.acquisition_campaign_id,
        aggregated.stage,
        stages.stage_order,
        stages.previous_stage,
        stages.conversion_window_days,
        aggregated.cohort_customers,
        aggregated.customers_entered,
        {{ funnel_rate('aggregated.customers_entered', 'aggregated.cohort_customers') }} as share_of_cohort,
        aggregated.customers_at_previous_stage,
        aggregated.customers_eligible,
        aggregated.customers_not_yet_mature,
        aggregated.customers_converted,
        {{ funnel_rate('aggregated.customers_converted', 'aggregated.customers_eligible') }}
            as conversion_rate,
        aggregated.median_days_from_previous,
        case
            when stages.previous_stage is null then 'not_applicable'
            when aggregated.customers_at_previous_stage = 0 then 'no_previous_stage'
            when aggregated.customers_not_yet_mature = 0 then 'mature'
            when aggregated.customers_eligible = 0 then 'not_yet_mature'
            else 'partially_mature'
        end as maturity_status,
        as_of.as_of_at
    from aggregated
    inner join stages
        on aggregated.stage = stages.stage
    cross join as_of
)

select * from final
