{#-
    Mini-program orders in the conformed order shape (see int_orders__unioned): one row per WeChat
    Pay transaction id of the merchant bill, its payments and refunds summed; with the coupon used
    on the payment (one per payment: an order must not repeat when it redeemed several).
-#}
with

wechatpay_transactions as (
    select * from {{ ref('stg_wechatpay__transactions') }}
),

wechatpay_coupons as (
    select * from {{ ref('stg_wechatpay__coupons') }}
),

transactions as (
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

coupon_per_transaction as (
    select
        used_transaction_id,
        min(coupon_id) as coupon_id,
        count(*) as coupons_used
    from wechatpay_coupons
    where used_transaction_id is not null
    group by used_transaction_id
),

final as (
    select
        transactions.*,
        coupon_per_transaction.coupon_id
    from transactions
    left join coupon_per_transaction
        on transactions.order_id = coupon_per_transaction.used_transaction_id
)

select * from final
