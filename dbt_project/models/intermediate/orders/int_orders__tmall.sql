{#-
    Tmall shop orders in the conformed order shape (see int_orders__unioned), one row per order.
-#}
with

tmall_orders as (
    select * from {{ ref('stg_tmall__orders') }}
),

final as (
    select
        'tmall' as channel,
        order_id,
        'tmall_buyer' as buyer_id_type,
        buyer_nick as buyer_id_value,
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        created_at as ordered_at,
        paid_at,
        is_paid,
        is_cancelled,
        case when is_paid then paid_amount else 0 end as gross_amount,
        net_amount,
        cast(null as {{ dbt.type_string() }}) as coupon_id
    from tmall_orders
)

select * from final
