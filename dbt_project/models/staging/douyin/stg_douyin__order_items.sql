{{ config(unique_key='sub_order_id') }}

with

orders as (
    select * from {{ source('douyin', 'orders') }}
    {{ new_loads_only() }}
),

renamed as (
    select
        {{ nullif_junk('sub_order_id') }} as sub_order_id,
        {{ nullif_junk('main_order_id') }} as main_order_id,
        {{ nullif_junk('product_id') }} as product_id,
        {{ trim_text('product_name') }} as product_name,
        try_cast({{ trim_text('quantity') }} as integer) as quantity,
        {{ text_to_yuan('unit_price') }} as unit_price,
        {{ text_to_yuan('payable_amount') }} as payable_amount,
        {{ text_to_yuan('shipping_fee') }} as shipping_fee,
        {{ text_to_yuan('discount_amount') }} as discount_amount,
        {{ trim_text('payment_method') }} as payment_method,
        {{ keyed_hash(
            "concat_ws('|', " ~ trim_text('receiver_name') ~ ", " ~ mask_phone('receiver_mobile') ~ ", "
            ~ trim_text('province') ~ ", " ~ trim_text('city') ~ ", " ~ trim_text('district') ~ ")"
        ) }} as buyer_key_hash,
        {{ mask_phone('receiver_mobile') }} as receiver_mobile_masked,
        {{ phone_kind('receiver_mobile') }} as receiver_mobile_kind,
        {{ trim_text('province') }} as province,
        {{ trim_text('city') }} as city,
        {{ trim_text('district') }} as district,
        {{ shanghai_ts_from_local_text('submitted_time') }} as submitted_at,
        {{ shanghai_ts_from_local_text('paid_time') }} as paid_at,
        {{ shanghai_ts_from_local_text('finished_time') }} as finished_at,
        {{ trim_text('order_status') }} as order_status,
        {{ trim_text('after_sale_status') }} as after_sale_status,
        {{ trim_text('traffic_source') }} as traffic_source,
        {{ trim_text('traffic_channel') }} as traffic_channel,
        {{ nullif_junk('author_id') }} as author_id,
        {{ trim_text('author_nickname') }} as author_nickname,
        {{ nullif_junk('live_room_id') }} as live_room_id,
        {{ lineage_columns() }}
    from orders
),

deduplicated as (
    {{ latest_record('renamed', ['sub_order_id']) }}
),

with_status as (
    select
        *,
        case
            when order_status in ('待支付', '待付款') then 'awaiting_payment'
            when order_status in ('待发货', '备货中') then 'awaiting_shipment'
            when order_status in ('已发货', '部分发货') then 'shipped'
            when order_status in ('已完成', '交易成功') then 'completed'
            when order_status in ('已关闭', '已取消', '交易关闭') then 'closed'
            else 'other'
        end as order_status_code,
        case
            when after_sale_status is null or after_sale_status in ('-', '无', '无售后', '暂无') then 'none'
            when after_sale_status in ('退款成功', '已退款', '退款完成', '售后完成', '退货退款完成') then 'refunded'
            when after_sale_status in ('售后关闭', '退款关闭', '售后取消', '已拒绝', '拒绝退款') then 'closed'
            else 'in_progress'
        end as after_sale_status_code
    from deduplicated
),

flagged as (
    select
        *,
        paid_at is not null
        or order_status_code in ('awaiting_shipment', 'shipped', 'completed') as is_paid,
        order_status_code = 'closed' as is_cancelled,
        after_sale_status_code = 'refunded' as is_refund
    from with_status
),

with_net_amount as (
    select
        *,
        cast(
            case
                when is_paid and not is_cancelled and not is_refund then coalesce(payable_amount, 0)
                else 0
            end as {{ money_type() }}
        ) as net_amount
    from flagged
)

select * from with_net_amount
