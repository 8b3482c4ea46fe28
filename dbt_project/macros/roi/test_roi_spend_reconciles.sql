{#-
    Fails for every attribution model and campaign whose spend in the model (fct_campaign_roi)
    differs from the campaign's mapped spend in `ad_spend` up to the model's as_of_at: spend is
    neither lost nor counted twice, and it is the same in every model.
-#}
{% test roi_spend_reconciles(model, ad_spend, attribution_models) %}

with

as_of as (
    select cast(max(as_of_at) as date) as as_of_date from {{ model }}
),

expected as (
    select
        ad_spend.campaign_id,
        sum(ad_spend.spend) as expected_spend
    from {{ ad_spend }} as ad_spend
    cross join as_of
    where ad_spend.is_mapped and ad_spend.report_date <= as_of.as_of_date
    group by ad_spend.campaign_id
),

actual as (
    select
        attribution_model,
        campaign_id,
        sum(spend) as actual_spend
    from {{ model }}
    group by attribution_model, campaign_id
),

compared as (
    select
        models.attribution_model,
        expected.campaign_id,
        expected.expected_spend,
        coalesce(actual.actual_spend, 0) as actual_spend
    from {{ attribution_models }} as models
    cross join expected
    left join actual
        on
            models.attribution_model = actual.attribution_model
            and expected.campaign_id = actual.campaign_id
    union all
    select
        actual.attribution_model,
        actual.campaign_id,
        0 as expected_spend,
        actual.actual_spend
    from actual
    left join expected
        on actual.campaign_id = expected.campaign_id
    where expected.campaign_id is null
)

select *
from compared
where actual_spend != expected_spend

{% endtest %}
