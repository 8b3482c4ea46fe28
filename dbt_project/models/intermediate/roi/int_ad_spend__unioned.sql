{#-
    Paid-media spend of every ad platform in one shape and one unit (yuan): one row per report day,
    platform, ad account and platform campaign, ad groups summed. Staging has already converted each
    platform's unit (Tencent Ads fen, Ocean Engine yuan). The siyu campaign comes from seed
    campaigns (platform + platform_campaign_id); spend of a platform campaign the seed does not list
    keeps a null campaign_id (is_mapped false) and is reported by rpt_unmapped_ad_spend.
-#}
with

tencent_ads_reports as (
    select * from {{ ref('stg_tencent_ads__daily_reports') }}
),

oceanengine_reports as (
    select * from {{ ref('stg_oceanengine__daily_reports') }}
),

campaigns as (
    select * from {{ ref('campaigns') }}
),

platform_reports as (
    select
        'tencent_ads' as platform,
        report_date,
        account_id,
        campaign_id as platform_campaign_id,
        impressions,
        clicks,
        conversions,
        spend
    from tencent_ads_reports
    union all
    select
        'oceanengine' as platform,
        report_date,
        advertiser_id as account_id,
        campaign_id as platform_campaign_id,
        impressions,
        clicks,
        conversions,
        spend
    from oceanengine_reports
),

per_campaign_day as (
    select
        platform,
        report_date,
        account_id,
        platform_campaign_id,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(conversions) as conversions,
        cast(sum(spend) as {{ money_type() }}) as spend,
        count(*) as report_rows
    from platform_reports
    group by platform, report_date, account_id, platform_campaign_id
),

mapped as (
    select
        {{ surrogate_key([
            'per_campaign_day.platform',
            'per_campaign_day.report_date',
            'per_campaign_day.account_id',
            'per_campaign_day.platform_campaign_id',
        ]) }} as ad_spend_key,
        per_campaign_day.platform,
        per_campaign_day.report_date,
        per_campaign_day.account_id,
        per_campaign_day.platform_campaign_id,
        campaigns.campaign_id,
        campaigns.campaign_id is not null as is_mapped,
        per_campaign_day.impressions,
        per_campaign_day.clicks,
        per_campaign_day.conversions,
        per_campaign_day.spend,
        per_campaign_day.report_rows
    from per_campaign_day
    left join campaigns
        on
            per_campaign_day.platform = campaigns.platform
            and per_campaign_day.platform_campaign_id = campaigns.platform_campaign_id
)

select * from mapped
