{#-
    The reconciliation guarantee of fct_campaign_roi (marts contract): for every attribution model,
    the revenue it attributes adds up to the revenue of the customers it attributes - no double
    counting, no loss, so it never exceeds it. Recomputed here without any weight: the attributed
    customers are those whose first paid order has a campaign touch in the lookback window
    (`order_credits`, is_first_order), their revenue is every `revenue_events` row from that order
    to as_of_at(). Fails for every model and measure (acquired customers, revenue to date,
    revenue_dN of the elapsed horizons) where the model's sum differs from the customers' total.
    The moment is the model's own as_of_at column.
-#}
{% test roi_reconciles_with_customer_revenue(model, order_credits, revenue_events, attribution_models) %}
{%- set horizons = siyu.roi_horizon_days() %}

with

as_of as (
    select max(as_of_at) as as_of_at from {{ model }}
),

attributed_customers as (
    select distinct
        customer_id,
        converted_at as acquired_at
    from {{ order_credits }}
    where is_first_order
),

customer_events as (
    select
        attributed_customers.customer_id,
        revenue_events.amount,
        {{ siyu.days_between('attributed_customers.acquired_at', 'revenue_events.event_at') }} as days_since,
        {{ siyu.days_between('attributed_customers.acquired_at', 'as_of.as_of_at') }} as days_elapsed
    from attributed_customers
    cross join as_of
    inner join {{ revenue_events }} as revenue_events
        on
            attributed_customers.customer_id = revenue_events.customer_id
            and revenue_events.event_at >= attributed_customers.acquired_at
            and revenue_events.event_at <= as_of.as_of_at
),

expected as (
    select
        'acquired_customers' as measure,
        cast(count(*) as decimal(18, 4)) as expected_total
    from attributed_customers
    union all
    select
        'revenue_to_date' as measure,
        coalesce(sum(amount), 0) as expected_total
    from customer_events
    {%- for horizon in horizons %}
    union all
    select
        'revenue_d{{ horizon }}' as measure,
        coalesce(sum(case when days_elapsed > {{ horizon }} and days_since <= {{ horizon }} then amount end), 0)
            as expected_total
    from customer_events
    {%- endfor %}
),

actual as (
    select
        attribution_model,
        'acquired_customers' as measure,
        sum(acquired_customers) as actual_total
    from {{ model }}
    group by attribution_model
    union all
    select
        attribution_model,
        'revenue_to_date' as measure,
        sum(revenue_to_date) as actual_total
    from {{ model }}
    group by attribution_model
    {%- for horizon in horizons %}
    union all
    select
        attribution_model,
        'revenue_d{{ horizon }}' as measure,
        sum(revenue_d{{ horizon }}) as actual_total
    from {{ model }}
    group by attribution_model
    {%- endfor %}
),

compared as (
    select
        models.attribution_model,
        expected.measure,
        expected.expected_total,
        coalesce(actual.actual_total, 0) as actual_total
    from {{ attribution_models }} as models
    cross join expected
    left join actual
        on
            models.attribution_model = actual.attribution_model
            and expected.measure = actual.measure
)

select *
from compared
where actual_total != expected_total

{% endtest %}
