{#-
    RFM scores (1-5) and segment, and lifecycle stage, of every customer as of as_of_at().
    Cut points are vars (siyu_rfm_*, siyu_lifecycle_*) so they can be tuned per brand.
-#}
{%- set recency_cuts = var('siyu_rfm_recency_days') -%}
{%- set frequency_cuts = var('siyu_rfm_frequency_orders') -%}
{%- set monetary_cuts = var('siyu_rfm_monetary_yuan') -%}

with

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

order_summary as (
    select * from {{ ref('int_customer__order_summary') }}
),

customers as (
    select distinct customer_id from customer_ids
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

measured as (
    select
        customers.customer_id,
        order_summary.first_order_at,
        order_summary.last_order_at,
        coalesce(order_summary.orders_count, 0) as orders_count,
        coalesce(order_summary.gmv, 0) as gmv,
        as_of.as_of_at
    from customers
    cross join as_of
    left join order_summary
        on customers.customer_id = order_summary.customer_id
),

with_days as (
    select
        *,
        {{ days_between('last_order_at', 'as_of_at') }} as recency_days,
        {{ days_between('first_order_at', 'as_of_at') }} as tenure_days
    from measured
),

scored as (
    select
        *,
        case
            when orders_count = 0 then null
            {% for cut in recency_cuts %}
                when recency_days <= {{ cut }} then {{ 5 - loop.index0 }}
            {% endfor %}
            else 1
        end as recency_score,
        case
            when orders_count = 0 then null
            {% for cut in frequency_cuts %}
                when orders_count <= {{ cut }} then {{ loop.index }}
            {% endfor %}
            else 5
        end as frequency_score,
        case
            when orders_count = 0 then null
            {% for cut in monetary_cuts %}
                when gmv <= {{ cut }} then {{ loop.index }}
            {% endfor %}
            else 5
        end as monetary_score
    from with_days
),

segmented as (
    select
        *,
        case
            when orders_count = 0 then 'no_orders'
            when recency_score >= 4 and frequency_score >= 4 then 'champions'
            when frequency_score >= 4 then 'loyal'
            when recency_score >= 4 and frequency_score <= 2 then 'promising'
            when recency_score <= 2 and frequency_score >= 3 then 'at_risk'
            when recency_score <= 2 then 'hibernating'
            else 'needs_attention'
        end as rfm_segment,
        case
            when orders_count = 0 then 'prospect'
            when tenure_days <= {{ var('siyu_lifecycle_new_days') }} then 'new'
            when recency_days <= {{ var('siyu_lifecycle_active_days') }} then 'active'
            when recency_days <= {{ var('siyu_lifecycle_dormant_days') }} then 'dormant'
            else 'churned'
        end as lifecycle_stage
    from scored
)

select * from segmented
