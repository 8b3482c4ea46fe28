{#- One row per order in any selling channel, with the customer who placed it. -#}
with

orders as (
    select * from {{ ref('int_orders__resolved') }}
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
