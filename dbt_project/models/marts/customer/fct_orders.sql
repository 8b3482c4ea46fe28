{{
    config(
        unique_key='order_key',
        post_hook="{{ remove_gone_orders() }}",
    )
}}
{#-
    One row per order in any selling channel, with the customer who placed it.

    Incremental on DuckDB: the orders int_orders__resolved computed again this build (macro
    touched_by_order_changes) replace theirs by order_key; orders gone are deleted. On Spark and
    on a full refresh, every order.
-#}
-- depends_on: {{ ref('int_orders__changes') }}
with

orders as (
    select * from {{ ref('int_orders__resolved') }}
    {%- if is_incremental() %}
    where {{ touched_by_order_changes('order_key', 'customer_id') }}
    {%- endif %}
),

final as (
    select
        order_key,
        channel,
        order_id,
        customer_id,
        customer_order_number,
        store_id,
        guide_id,
        ordered_at,
        paid_at,
        is_paid,
        is_cancelled,
        is_counted_order,
        gross_amount,
        refund_amount,
        net_amount,
        coupon_id
    from orders
)

select * from final
