{#-
    The attribution reconciliation of the marts contract: for every attribution model of
    `attribution_models`, the attributed revenue adds up to the revenue of the attributed orders
    (each distinct order of the model counted once): no double counting, no loss, no model that
    leaves orders out. Fails for every model whose total differs.
-#}
{% test attributed_revenue_reconciles(model, attribution_models) %}

with

attributed_orders as (
    select distinct
        order_key,
        order_revenue
    from {{ model }}
),

orders_revenue as (
    select coalesce(sum(order_revenue), 0) as orders_revenue
    from attributed_orders
),

credited_by_model as (
    select
        attribution_model,
        sum(attributed_revenue) as credited_revenue
    from {{ model }}
    group by attribution_model
),

compared as (
    select
        models.attribution_model,
        coalesce(credited_by_model.credited_revenue, 0) as credited_revenue,
        orders_revenue.orders_revenue
    from {{ attribution_models }} as models
    cross join orders_revenue
    left join credited_by_model
        on models.attribution_model = credited_by_model.attribution_model
)

select *
from compared
where credited_revenue != orders_revenue

{% endtest %}
