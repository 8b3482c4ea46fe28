{{
    config(
        unique_key='customer_id',
        post_hook="{{ remove_customers_without_orders() }}",
    )
}}
{#-
    Per customer: counted orders, first and last order time, net GMV and refunds.

    Incremental on DuckDB: only the customers a day's order changes touch (macro
    touched_by_order_changes) are summarised again and replace theirs by customer_id; a touched
    customer left without orders (merged into another, or whose orders went) is deleted. On
    Spark and on a full refresh, every customer.
-#}
-- depends_on: {{ ref('int_orders__changes') }}
with

orders as (
    select * from {{ ref('int_orders__resolved') }}
),

selected as (
    select * from orders
    where customer_id is not null
    {%- if is_incremental() %}
        and customer_id in ({{ customers_touched_by_order_changes() }})
    {%- endif %}
),

summarised as (
    select
        customer_id,
        min(case when is_counted_order then ordered_at end) as first_order_at,
        max(case when is_counted_order then ordered_at end) as last_order_at,
        count(case when is_counted_order then order_key end) as orders_count,
        cast(sum(net_amount) as {{ money_type() }}) as gmv,
        cast(sum(refund_amount) as {{ money_type() }}) as refund_amount,
        count(distinct case when is_counted_order then channel end) as order_channels
    from selected
    group by customer_id
)

select * from summarised
