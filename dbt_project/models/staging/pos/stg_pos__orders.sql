with

orders as (
    select * from {{ ref('base_pos__orders') }}
),

with_paid_amount as (
    select
        *,
        cast(coalesce(order_amount, 0) - coalesce(discount_amount, 0) as {{ money_type() }}) as paid_amount
    from orders
),

with_net_amount as (
    select
        order_no,
        member_id,
        store_id,
        guide_id,
        ordered_at,
        order_status,
        is_paid,
        is_refund,
        order_amount,
        discount_amount,
        paid_amount,
        cast(case when is_paid and not is_refund then paid_amount else 0 end as {{ money_type() }}) as net_amount,
        coupon_id,
        source_file,
        source_row_number,
        source_loaded_at
    from with_paid_amount
)

select * from with_net_amount
