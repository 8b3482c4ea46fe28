{#-
    Orders of every selling channel in one shape, one row per order, with the identifier of the
    buyer as the channel knows them (resolved to a customer in fct_orders).
    gross_amount is what was paid; net_amount is gross less refunds (from staging);
    refund_amount = gross - net. Unpaid and cancelled-before-payment orders have gross 0.
-#}
with

wechatpay_transactions as (
    select * from {{ ref('stg_wechatpay__transactions') }}
),

wechatpay_coupons as (
    select * from {{ ref('stg_wechatpay__coupons') }}
),

pos_orders as (
    select * from {{ ref('stg_pos__orders') }}
),

tmall_orders as (
    select * from {{ ref('stg_tmall__orders') }}
),

douyin_order_items as (
    select * from {{ ref('stg_douyin__order_items') }}
),

mini_program_orders as (
    select
        'mini_program' as channel,
        transaction_id as order_id,
        'mp_openid' as buyer_id_type,
        max(mp_openid) as buyer_id_value,
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        coalesce(min(case when transaction_type = 'payment' then traded_at end), min(traded_at))
            as ordered_at,
        min(case when transaction_type = 'payment' then traded_at end) as paid_at,
        bool_or(transaction_type = 'payment') as is_paid,
        false as is_cancelled,
        sum(case when transaction_type = 'payment' then settlement_amount else 0 end) as gross_amount,
        sum(net_amount) as net_amount
    from wechatpay_transactions
    group by transaction_id
),

-- one coupon per payment (a payment may redeem several: the order must not repeat)
coupon_per_transaction as (
    select
        used_transaction_id,
        min(coupon_id) as coupon_id,
        count(*) as coupons_used
    from wechatpay_coupons
    where used_transaction_id is not null
    group by used_transaction_id
),

mini_program_orders_with_coupon as (
    select
        mini_program_orders.*,
        coupon_per_transaction.coupon_id
    from mini_program_orders
    left join coupon_per_transaction
        on mini_program_orders.order_id = coupon_per_transaction.used_transaction_id
),

store_orders as (
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
),

tmall_shop_orders as (
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
),

douyin_shop_orders as (
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
),

unioned as (
    select
        channel,
        order_id,
        buyer_id_type,
        buyer_id_value,
        store_id,
        guide_id,
        ordered_at,
        paid_at,
        is_paid,
        is_cancelled,
        gross_amount,
        net_amount,
        coupon_id
    from mini_program_orders_with_coupon
    union all
    select
        channel,
        order_id,
        buyer_id_type,
        buyer_id_value,
        store_id,
        guide_id,
        ordered_at,
        paid_at,
        is_paid,
        is_cancelled,
        gross_amount,
        net_amount,
        coupon_id
    from store_orders
    union all
    select
        channel,
        order_id,
        buyer_id_type,
        buyer_id_value,
        store_id,
        guide_id,
        ordered_at,
        paid_at,
        is_paid,
        is_cancelled,
        gross_amount,
        net_amount,
        coupon_id
    from tmall_shop_orders
    union all
    select
        channel,
        order_id,
        buyer_id_type,
        buyer_id_value,
        store_id,
        guide_id,
        ordered_at,
        paid_at,
        is_paid,
        is_cancelled,
        gross_amount,
        net_amount,
        coupon_id
    from douyin_shop_orders
),

final as (
    select
        channel || ':' || order_id as order_key,
        channel,
        order_id,
        buyer_id_type,
        buyer_id_value,
        store_id,
        guide_id,
        ordered_at,
        paid_at,
        is_paid,
        is_cancelled,
        cast(gross_amount as {{ money_type() }}) as gross_amount,
        cast(gross_amount - net_amount as {{ money_type() }}) as refund_amount,
        cast(net_amount as {{ money_type() }}) as net_amount,
        coupon_id
    from unioned
)

select * from final
