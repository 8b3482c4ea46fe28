{#-
    Orders with the customer who placed them (null for walk-in store buyers and buyers whose only
    identifier was excluded) and each paid order's sequence number for its customer.
-#}
with

orders as (
    select * from {{ ref('int_orders__unioned') }}
),

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

resolved as (
    select
        orders.*,
        customer_ids.customer_id,
        orders.is_paid and not orders.is_cancelled and orders.net_amount > 0 as is_counted_order
    from orders
    left join customer_ids
        on
            orders.buyer_id_type = customer_ids.id_type
            and orders.buyer_id_value = customer_ids.id_value
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
    from resolved
)

select * from sequenced
