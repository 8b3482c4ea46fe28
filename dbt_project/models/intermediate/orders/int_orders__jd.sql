{#-
    JD POP shop orders in the conformed order shape (see int_orders__unioned): one row per order,
    its SKU rows collapsed. The order-level amounts repeat on every SKU row and are taken once:
    gross is 结算金额 (what the buyer paid after the shop's discounts, JD balance included) when
    paid; a paid order that was cancelled was refunded in full (JD's order export has no refund
    records), so its net is 0. The buyer is the jd_buyer key (stg_jd__order_items).
-#}
with

jd_order_items as (
    select * from {{ ref('stg_jd__order_items') }}
),

orders as (
    select
        order_id,
        max(buyer_key_hash) as buyer_key_hash,
        min(ordered_at) as ordered_at,
        min(paid_at) as paid_at,
        bool_or(is_paid) as is_paid,
        bool_and(is_cancelled) as is_cancelled,
        max(settlement_amount) as settlement_amount
    from jd_order_items
    group by order_id
),

final as (
    select
        'jd' as channel,
        order_id,
        'jd_buyer' as buyer_id_type,
        buyer_key_hash as buyer_id_value,
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        ordered_at,
        paid_at,
        is_paid,
        is_cancelled,
        case when is_paid then coalesce(settlement_amount, 0) else 0 end as gross_amount,
        case when is_paid and not is_cancelled then coalesce(settlement_amount, 0) else 0 end as net_amount,
        cast(null as {{ dbt.type_string() }}) as coupon_id
    from orders
)

select * from final
