{{
    config(
        unique_key='order_key',
        post_hook="{{ remove_gone_orders() }}",
    )
}}
{#-
    Orders with the customer who placed them (null for walk-in store buyers and buyers whose only
    identifier was excluded) and each counted order's sequence number for its customer.

    Incremental on DuckDB: only the orders int_orders__changes lists and every order of the
    customers they touch are computed again (a customer's numbers move when an earlier order
    arrives late or goes to another customer) and replace theirs by order_key; orders gone from
    the union are deleted. On Spark and on a full refresh, every order.
-#}
-- depends_on: {{ ref('int_orders__changes') }}
with

orders as (
    select * from {{ ref('int_orders__with_customer') }}
),

selected as (
    select * from orders
    {%- if is_incremental() %}
    where {{ touched_by_order_changes('order_key', 'customer_id') }}
    {%- endif %}
),

sequenced as (
    select
        *,
        case
            when is_counted_order and customer_id is not null
                then row_number() over (
                        partition by customer_id, is_counted_order order by ordered_at, order_key
                    )
        end as customer_order_number
    from selected
)

select * from sequenced
