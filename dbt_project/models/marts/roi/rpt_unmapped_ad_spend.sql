{#-
    Spend that no siyu campaign claims: one row per ad platform, account and platform campaign that
    seed campaigns does not map, with its total and the days it ran. Empty when every platform
    campaign is mapped. To map one, add a row to seeds/campaigns/campaigns.csv with its platform
    and platform_campaign_id.
-#}
with

ad_spend as (
    select * from {{ ref('int_ad_spend__unioned') }}
),

unmapped as (
    select
        {{ surrogate_key(['platform', 'account_id', 'platform_campaign_id']) }} as unmapped_campaign_key,
        platform,
        account_id,
        platform_campaign_id,
        min(report_date) as first_report_date,
        max(report_date) as last_report_date,
        count(*) as report_days,
        cast(sum(spend) as {{ money_type() }}) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from ad_spend
    where not is_mapped
    group by platform, account_id, platform_campaign_id
)

select * from unmapped
