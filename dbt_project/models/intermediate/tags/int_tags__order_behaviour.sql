{#-
    Per customer with counted orders up to as_of_at(): how often they used a coupon, their average
    order value and when their second and third orders came after the first (for the three-order
    strategy, 三单策略). An order used a coupon when int_orders__resolved carries its coupon_id
    (WeChat Pay merchant coupons redeemed on a mini-program order, coupons of store orders).
-#}
with

orders as (
    select * from {{ ref('int_orders__resolved') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

counted_orders as (
    select
        orders.customer_id,
        orders.order_key,
        orders.ordered_at,
        orders.net_amount,
        orders.coupon_id is not null as used_coupon,
        row_number() over (
            partition by orders.customer_id order by orders.ordered_at asc, orders.order_key asc
        ) as order_number
    from orders
    cross join as_of
    where
        orders.customer_id is not null
        and orders.is_counted_order
        and orders.ordered_at <= as_of.as_of_at
),

summarised as (
    select
        customer_id,
        count(*) as counted_orders,
        sum(case when used_coupon then 1 else 0 end) as coupon_orders_count,
        cast(avg(net_amount) as {{ money_type() }}) as avg_order_value,
        min(case when order_number = 1 then ordered_at end) as first_order_at,
        min(case when order_number = 2 then ordered_at end) as second_order_at,
        min(case when order_number = 3 then ordered_at end) as third_order_at
    from counted_orders
    group by customer_id
),

measured as (
    select
        customer_id,
        counted_orders,
        coupon_orders_count,
        cast(
            cast(coupon_orders_count as decimal(18, 4)) / cast(counted_orders as decimal(18, 4))
            as decimal(18, 4)
        ) as coupon_order_share,
        avg_order_value,
        first_order_at,
        second_order_at,
        third_order_at,
        {{ days_between('first_order_at', 'second_order_at') }} as second_order_days_after_first,
        {{ days_between('first_order_at', 'third_order_at') }} as third_order_days_after_first
    from summarised
)

select * from measured
