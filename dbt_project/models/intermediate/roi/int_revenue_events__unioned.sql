{#-
    Net revenue as events in time: one row per payment (+) and per refund (-) of every paid order,
    at the moment it happened, so a refund lowers revenue from its own day on and not before.
    Per order the events add up to int_orders__resolved.net_amount.
    Refund time per channel:
    - mini_program: the WeChat Pay refund row's own 交易时间 (refund_time_source 'refund_record').
    - store (POS REFUNDED), tmall, douyin: the exports carry no refund time, so the refund is put
      at the payment time (refund_time_source 'assumed_at_payment'): these orders count net of
      their refund at every horizon.
-#}
with

orders as (
    select * from {{ ref('int_orders__resolved') }}
),

wechatpay_transactions as (
    select * from {{ ref('stg_wechatpay__transactions') }}
),

mini_program_events as (
    select
        'mini_program:' || transaction_id as order_key,
        transaction_key as source_record_key,
        transaction_type as event_type,
        traded_at as event_at,
        net_amount as amount,
        case when is_refund then 'refund_record' end as refund_time_source
    from wechatpay_transactions
),

other_channel_payments as (
    select
        order_key,
        order_key as source_record_key,
        'payment' as event_type,
        coalesce(paid_at, ordered_at) as event_at,
        gross_amount as amount,
        cast(null as {{ dbt.type_string() }}) as refund_time_source
    from orders
    where channel != 'mini_program' and is_paid and gross_amount != 0
),

other_channel_refunds as (
    select
        order_key,
        order_key as source_record_key,
        'refund' as event_type,
        coalesce(paid_at, ordered_at) as event_at,
        -refund_amount as amount,
        'assumed_at_payment' as refund_time_source
    from orders
    where channel != 'mini_program' and is_paid and refund_amount != 0
),

events as (
    select * from mini_program_events
    union all
    select * from other_channel_payments
    union all
    select * from other_channel_refunds
),

with_customer as (
    select
        {{ surrogate_key(['events.order_key', 'events.event_type', 'events.source_record_key']) }}
            as revenue_event_key,
        events.order_key,
        orders.channel,
        orders.customer_id,
        events.event_type,
        events.event_at,
        cast(events.amount as {{ money_type() }}) as amount,
        events.refund_time_source
    from events
    inner join orders
        on events.order_key = orders.order_key
    where events.amount != 0
)

select * from with_customer
