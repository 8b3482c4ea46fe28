{#-
    Store (POS) orders in the conformed order shape (see int_orders__unioned); walk-in buyers have no
    member_id.
-#}
with

pos_orders as (
    select * from {{ ref('stg_pos__orders') }}
),

final as (
    select
        'store' as channel,
        order_no as order_id,
        'member_id' as buyer_id_type,
        member_id as buyer_id_value,
        store_id,
        guide_id,
        ordered_at,
        case when is_paid then ordered_at end as paid_at,
        is_paid,
        false as is_cancelled,
        case when is_paid then paid_amount else 0 end as gross_amount,
        net_amount,
        coupon_id
    from pos_orders
)

select * from final
