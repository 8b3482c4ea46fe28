{#- Per customer: counted orders, first and last order time, net GMV and refunds. -#}
with

orders as (
    select * from {{ ref('int_orders__resolved') }}
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
    from orders
    where customer_id is not null
    group by customer_id
)

select * from summarised
