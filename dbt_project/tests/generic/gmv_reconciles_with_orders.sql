{#-
    The GMV reconciliation of the marts contract, customer by customer: a customer's gmv is the
    net amount of their orders in `orders` and orders_count the number of their counted orders.
    Fails for every customer (of either side) where they differ, so sum(dim_customer.gmv) equals
    the net amount of the orders of resolved customers.
-#}
{% test gmv_reconciles_with_orders(model, orders) %}

with

orders_by_customer as (
    select
        customer_id,
        sum(net_amount) as orders_net_amount,
        count(case when is_counted_order then 1 end) as counted_orders
    from {{ orders }}
    where customer_id is not null
    group by customer_id
),

compared as (
    select
        coalesce(customers.customer_id, orders_by_customer.customer_id) as customer_id,
        customers.gmv,
        coalesce(orders_by_customer.orders_net_amount, 0) as orders_net_amount,
        customers.orders_count,
        coalesce(orders_by_customer.counted_orders, 0) as counted_orders
    from {{ model }} as customers
    full outer join orders_by_customer
        on customers.customer_id = orders_by_customer.customer_id
)

select *
from compared
where
    gmv is null
    or gmv != orders_net_amount
    or orders_count != counted_orders

{% endtest %}
