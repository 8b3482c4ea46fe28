{#-
    Each order of int_orders__unioned with the customer its buyer resolves to now (null for
    walk-in store buyers and buyers whose only identifier was excluded) and whether it counts
    (paid, not cancelled, net amount above zero). Ephemeral: read by int_orders__changes, which
    compares it with what the last build kept, and by int_orders__resolved.
-#}
{{ config(materialized='ephemeral') }}

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
)

select * from resolved
