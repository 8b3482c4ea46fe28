{#-
    Multi-horizon ROI (多层ROI) per campaign and day of acquisition, side by side for each
    attribution model. One row per campaign_id, date and attribution_model.
    - A customer is acquired on the day of their first paid order; the campaigns credited with it
      (int_customer_acquisitions__credited) share the customer (acquired_customers) and all of the
      customer's net revenue from that order on (int_acquisition_revenue__allocated).
    - spend is the campaign's mapped ad spend of that day (the same in every model); days with
      spend and no acquisition still have a row.
    - revenue_dN: cumulative net revenue on the acquisition day and the N days after it; null until
      that horizon has elapsed (days_elapsed > N). A refund counts on the day it was made.
    - roi_dN = (revenue_dN - spend) / spend; null without spend. payback_day: the first elapsed
      day on which cumulative revenue reached spend. LTV is the revenue at the last horizon.
-#}
{%- set horizons = roi_horizon_days() -%}
{%- set ltv_horizon = horizons | last -%}

with

ad_spend as (
    select * from {{ ref('int_ad_spend__unioned') }}
),

acquisitions as (
    select * from {{ ref('int_customer_acquisitions__credited') }}
),

allocated_revenue as (
    select * from {{ ref('int_acquisition_revenue__allocated') }}
),

campaigns as (
    select * from {{ ref('campaigns') }}
),

attribution_models as (
    select * from {{ ref('attribution_models') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

spend_days as (
    select
        ad_spend.campaign_id,
        ad_spend.report_date as acquisition_date,
        sum(ad_spend.spend) as spend
    from ad_spend
    cross join as_of
    where ad_spend.is_mapped and ad_spend.report_date <= cast(as_of.as_of_at as date)
    group by ad_spend.campaign_id, ad_spend.report_date
),

acquisition_days as (
    select
        campaign_id,
        acquisition_date,
        attribution_model,
        sum(acquired_customers) as acquired_customers
    from acquisitions
    group by campaign_id, acquisition_date, attribution_model
),

revenue_days as (
    select
        campaign_id,
        acquisition_date,
        attribution_model,
        {%- for horizon in horizons %}
            sum(case when days_since_acquisition <= {{ horizon }} then allocated_amount else 0 end)
                as revenue_within_d{{ horizon }},
        {%- endfor %}
        sum(allocated_amount) as revenue_to_date
    from allocated_revenue
    group by campaign_id, acquisition_date, attribution_model
),

cohorts as (
    select
        spend_days.campaign_id,
        spend_days.acquisition_date,
        attribution_models.attribution_model
    from spend_days
    cross join attribution_models
    union distinct
    select
        campaign_id,
        acquisition_date,
        attribution_model
    from acquisition_days
),

cohort_measures as (
    select
        cohorts.campaign_id,
        cohorts.acquisition_date,
        cohorts.attribution_model,
        {{ days_between('cohorts.acquisition_date', 'as_of.as_of_at') }} as days_elapsed,
        as_of.as_of_at,
        cast(coalesce(spend_days.spend, 0) as {{ money_type() }}) as spend,
        cast(coalesce(acquisition_days.acquired_customers, 0) as decimal(18, 4)) as acquired_customers,
        {%- for horizon in horizons %}
            coalesce(revenue_days.revenue_within_d{{ horizon }}, 0) as revenue_within_d{{ horizon }},
        {%- endfor %}
        cast(coalesce(revenue_days.revenue_to_date, 0) as {{ money_type() }}) as revenue_to_date
    from cohorts
    cross join as_of
    left join spend_days
        on
            cohorts.campaign_id = spend_days.campaign_id
            and cohorts.acquisition_date = spend_days.acquisition_date
    left join acquisition_days
        on
            cohorts.campaign_id = acquisition_days.campaign_id
            and cohorts.acquisition_date = acquisition_days.acquisition_date
            and cohorts.attribution_model = acquisition_days.attribution_model
    left join revenue_days
        on
            cohorts.campaign_id = revenue_days.campaign_id
            and cohorts.acquisition_date = revenue_days.acquisition_date
            and cohorts.attribution_model = revenue_days.attribution_model
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

cumulative_revenue as (
    select
        campaign_id,
        acquisition_date,
        attribution_model,
        days_since_acquisition,
        sum(revenue) over (
            partition by campaign_id, acquisition_date, attribution_model
            order by days_since_acquisition
            rows between unbounded preceding and current row
        ) as cumulative_revenue
    from daily_revenue
),

payback as (
    select
        cumulative_revenue.campaign_id,
        cumulative_revenue.acquisition_date,
        cumulative_revenue.attribution_model,
        min(cumulative_revenue.days_since_acquisition) as payback_day
    from cumulative_revenue
    inner join cohort_measures
        on
            cumulative_revenue.campaign_id = cohort_measures.campaign_id
            and cumulative_revenue.acquisition_date = cohort_measures.acquisition_date
            and cumulative_revenue.attribution_model = cohort_measures.attribution_model
    where
        cohort_measures.spend > 0
        and cumulative_revenue.cumulative_revenue >= cohort_measures.spend
        and cumulative_revenue.days_since_acquisition < cohort_measures.days_elapsed
    group by cumulative_revenue.campaign_id, cumulative_revenue.acquisition_date, cumulative_revenue.attribution_model
),

with_horizons as (
    select
        cohort_measures.*,
        {%- for horizon in horizons %}
            cast(
                case
                    when cohort_measures.days_elapsed > {{ horizon }}
                        then cohort_measures.revenue_within_d{{ horizon }}
                end
                as {{ money_type() }}
            ) as revenue_d{{ horizon }},
        {%- endfor %}
        payback.payback_day
    from cohort_measures
    left join payback
        on
            cohort_measures.campaign_id = payback.campaign_id
            and cohort_measures.acquisition_date = payback.acquisition_date
            and cohort_measures.attribution_model = payback.attribution_model
),

final as (
    select
        with_horizons.campaign_id,
        with_horizons.acquisition_date as date,  -- noqa: RF04
        with_horizons.attribution_model,
        campaigns.campaign_name,
        campaigns.channel,
        campaigns.platform,
        with_horizons.spend,
        with_horizons.acquired_customers,
        {{ roi_ratio('with_horizons.spend', 'with_horizons.acquired_customers', scale=2) }} as cac,
        {%- for horizon in horizons %}
            with_horizons.revenue_d{{ horizon }},
        {%- endfor %}
        with_horizons.revenue_to_date,
        {%- for horizon in horizons %}
            {{ roi_return_on_spend('with_horizons.revenue_d' ~ horizon, 'with_horizons.spend') }} as roi_d{{ horizon }},
        {%- endfor %}
        {{ roi_ratio('with_horizons.revenue_d' ~ ltv_horizon, 'with_horizons.acquired_customers', scale=2) }}
            as ltv_d{{ ltv_horizon }},
        case
            when with_horizons.acquired_customers > 0
                then {{ roi_ratio('with_horizons.revenue_d' ~ ltv_horizon, 'with_horizons.spend') }}
        end as ltv_to_cac_d{{ ltv_horizon }},
        with_horizons.payback_day,
        with_horizons.days_elapsed,
        with_horizons.as_of_at
    from with_horizons
    left join campaigns
        on with_horizons.campaign_id = campaigns.campaign_id
)

select * from final
