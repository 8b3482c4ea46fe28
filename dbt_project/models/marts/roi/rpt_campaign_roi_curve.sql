{#-
    The ROI curve of each campaign: cumulative ROI by days since acquisition, per attribution
    model. One row per campaign_id, attribution_model and days_since_acquisition (0 to the last
    horizon of siyu_roi_horizon_days). Day N sums only the acquisition days (cohorts of
    fct_campaign_roi) for which N days have elapsed, both their spend and their revenue, so young
    cohorts never pull the curve down with revenue they have not had time to earn.
-#}
{%- set ltv_horizon = roi_horizon_days() | last -%}

with

campaign_roi as (
    select * from {{ ref('fct_campaign_roi') }}
),

allocated_revenue as (
    select * from {{ ref('int_acquisition_revenue__allocated') }}
),

day_spine as (
    {{ roi_day_spine(ltv_horizon) }}
),

daily_revenue as (
    select
        campaign_id,
        acquisition_date,
        attribution_model,
        days_since_acquisition,
        sum(allocated_amount) as revenue
    from allocated_revenue
    group by campaign_id, acquisition_date, attribution_model, days_since_acquisition
),

cohort_days as (
    select
        campaign_roi.campaign_id,
        campaign_roi.date as acquisition_date,
        campaign_roi.attribution_model,
        campaign_roi.channel,
        campaign_roi.spend,
        campaign_roi.acquired_customers,
        day_spine.days_since_acquisition
    from campaign_roi
    inner join day_spine
        on campaign_roi.days_elapsed > day_spine.days_since_acquisition
),

cohort_totals as (
    select
        campaign_id,
        attribution_model,
        days_since_acquisition,
        max(channel) as channel,
        count(*) as cohorts,
        sum(spend) as spend,
        sum(acquired_customers) as acquired_customers
    from cohort_days
    group by campaign_id, attribution_model, days_since_acquisition
),

revenue_totals as (
    select
        cohort_days.campaign_id,
        cohort_days.attribution_model,
        cohort_days.days_since_acquisition,
        sum(daily_revenue.revenue) as cumulative_revenue
    from cohort_days
    inner join daily_revenue
        on
            cohort_days.campaign_id = daily_revenue.campaign_id
            and cohort_days.acquisition_date = daily_revenue.acquisition_date
            and cohort_days.attribution_model = daily_revenue.attribution_model
            and cohort_days.days_since_acquisition >= daily_revenue.days_since_acquisition
    group by cohort_days.campaign_id, cohort_days.attribution_model, cohort_days.days_since_acquisition
),

final as (
    select
        cohort_totals.campaign_id,
        cohort_totals.attribution_model,
        cohort_totals.days_since_acquisition,
        cohort_totals.channel,
        cohort_totals.cohorts,
        cast(cohort_totals.spend as {{ money_type() }}) as spend,
        cast(cohort_totals.acquired_customers as decimal(18, 4)) as acquired_customers,
        cast(coalesce(revenue_totals.cumulative_revenue, 0) as {{ money_type() }}) as cumulative_revenue,
        {{ roi_ratio('coalesce(revenue_totals.cumulative_revenue, 0)', 'cohort_totals.acquired_customers', scale=2) }}
            as revenue_per_customer,
        {{ roi_ratio('cohort_totals.spend', 'cohort_totals.acquired_customers', scale=2) }} as cac,
        {{ roi_return_on_spend('coalesce(revenue_totals.cumulative_revenue, 0)', 'cohort_totals.spend') }} as roi
    from cohort_totals
    left join revenue_totals
        on
            cohort_totals.campaign_id = revenue_totals.campaign_id
            and cohort_totals.attribution_model = revenue_totals.attribution_model
            and cohort_totals.days_since_acquisition = revenue_totals.days_since_acquisition
)

select * from final
