{#-
    Paid-media spend in yuan, one row per report day, ad platform, account and platform campaign,
    with the siyu campaign it maps to (seed campaigns) or none: unmapped spend stays here with
    is_mapped false and is summed in rpt_unmapped_ad_spend, never dropped.
-#}
with

ad_spend as (
    select * from {{ ref('int_ad_spend__unioned') }}
),

campaigns as (
    select * from {{ ref('campaigns') }}
),

final as (
    select
        ad_spend.ad_spend_key,
        ad_spend.report_date,
        ad_spend.platform,
        ad_spend.account_id,
        ad_spend.platform_campaign_id,
        ad_spend.campaign_id,
        campaigns.campaign_name,
        campaigns.channel,
        ad_spend.is_mapped,
        ad_spend.impressions,
        ad_spend.clicks,
        ad_spend.conversions,
        ad_spend.spend
    from ad_spend
    left join campaigns
        on ad_spend.campaign_id = campaigns.campaign_id
)

select * from final
