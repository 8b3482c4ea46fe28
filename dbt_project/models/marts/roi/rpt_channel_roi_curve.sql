{#-
    The ROI curve per channel (the campaigns' channel in seed campaigns): rpt_campaign_roi_curve
    summed over the channel's campaigns. One row per channel, attribution_model and
    days_since_acquisition; roi is null for channels without ad spend.
-#}
with

campaign_curve as (
    select * from {{ ref('rpt_campaign_roi_curve') }}
),

per_channel as (
    select
        channel,
        attribution_model,
        days_since_acquisition,
        count(*) as campaigns,
        sum(cohorts) as cohorts,
        sum(spend) as spend,
        sum(acquired_customers) as acquired_customers,
        sum(cumulative_revenue) as cumulative_revenue
    from campaign_curve
    group by channel, attribution_model, days_since_acquisition
),

final as (
    select
        channel,
        attribution_model,
        days_since_acquisition,
        campaigns,
        cohorts,
        cast(spend as {{ money_type() }}) as spend,
        cast(acquired_customers as decimal(18, 4)) as acquired_customers,
        cast(cumulative_revenue as {{ money_type() }}) as cumulative_revenue,
        {{ roi_ratio('cumulative_revenue', 'acquired_customers', scale=2) }} as revenue_per_customer,
        {{ roi_ratio('spend', 'acquired_customers', scale=2) }} as cac,
        {{ roi_return_on_spend('cumulative_revenue', 'spend') }} as roi
    from per_channel
)

select * from final
