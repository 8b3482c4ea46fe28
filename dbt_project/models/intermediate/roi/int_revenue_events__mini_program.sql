{#-
    Mini-program revenue events in the conformed shape (see int_revenue_events__unioned): each
    WeChat Pay bill row of a transaction at its own 交易时间, the payment positive and each refund
    negative, so a refund lowers revenue from the day it happened on.
-#}
with

wechatpay_transactions as (
    select * from {{ ref('stg_wechatpay__transactions') }}
),

events as (
    select
        'mini_program:' || transaction_id as order_key,
        transaction_key as source_record_key,
        transaction_type as event_type,
        traded_at as event_at,
        net_amount as amount,
        case when is_refund then 'refund_record' end as refund_time_source
    from wechatpay_transactions
)

select * from events
