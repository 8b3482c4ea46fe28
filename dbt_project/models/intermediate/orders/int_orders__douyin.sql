{#-
    Douyin shop orders in the conformed order shape (see int_orders__unioned): one row per main order,
    its sub-orders summed.
-#}
with

douyin_order_items as (
    select * from {{ ref('stg_douyin__order_items') }}
),

final as (
    select
        'douyin' as channel,
        main_order_id as order_id,
        'douyin_buyer' as buyer_id_type,
        max(buyer_key_hash) as buyer_id_value,
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        min(submitted_at) as ordered_at,
        min(paid_at) as paid_at,
        bool_or(is_paid) as is_paid,
        bool_and(is_cancelled) as is_cancelled,
        sum(case when is_paid then payable_amount else 0 end) as gross_amount,
        sum(net_amount) as net_amount,
        cast(null as {{ dbt.type_string() }}) as coupon_id
    from douyin_order_items
    group by main_order_id
)

select * from final
