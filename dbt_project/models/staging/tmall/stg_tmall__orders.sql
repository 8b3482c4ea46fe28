{{ config(unique_key='order_id') }}

with

orders as (
    select * from {{ source('tmall', 'orders') }}
    {{ new_loads_only() }}
),

renamed as (
    select
        {{ unwrap_excel_text('order_id') }} as order_id,
        case
            when {{ normalise_phone(unwrap_excel_text('buyer_nick')) }} is not null
                then {{ hash_phone(unwrap_excel_text('buyer_nick')) }}
            else {{ unwrap_excel_text('buyer_nick') }}
        end as buyer_nick,
        {{ hash_phone(unwrap_excel_text('buyer_alipay')) }} as buyer_alipay_phone_hash,
        {{ unwrap_excel_text('shop_name') }} as shop_name,
        replace({{ unwrap_excel_text('order_status') }}, ',', '，') as order_status,
        {{ unwrap_excel_text('close_reason') }} as close_reason,
        {{ shanghai_ts_from_local_text(unwrap_excel_text('created_time')) }} as created_at,
        {{ shanghai_ts_from_local_text(unwrap_excel_text('paid_time')) }} as paid_at,
        {{ text_to_yuan(unwrap_excel_text('goods_amount')) }} as goods_amount,
        {{ text_to_yuan(unwrap_excel_text('postage')) }} as postage_amount,
        {{ text_to_yuan(unwrap_excel_text('total_amount')) }} as total_amount,
        {{ text_to_yuan(unwrap_excel_text('paid_amount')) }} as paid_amount,
        {{ text_to_yuan(unwrap_excel_text('refund_amount')) }} as refund_amount,
        {{ unwrap_excel_text('item_title') }} as item_title,
        try_cast({{ unwrap_excel_text('item_kinds') }} as integer) as item_kinds,
        try_cast({{ unwrap_excel_text('item_quantity') }} as integer) as item_quantity,
        {{ unwrap_excel_text('shipping_method') }} as shipping_method,
        {{ mask_phone(unwrap_excel_text('contact_mobile')) }} as receiver_mobile_masked,
        {{ phone_kind(unwrap_excel_text('contact_mobile')) }} as receiver_mobile_kind,
        {{ hash_phone(unwrap_excel_text('contact_phone')) }} as receiver_phone_hash,
        {{ phone_kind(unwrap_excel_text('contact_phone')) }} as receiver_phone_kind,
        {{ lineage_columns() }}
    from orders
),

deduplicated as (
    {{ latest_record('renamed', ['order_id']) }}
),

with_status as (
    select
        *,
        case order_status
            when '等待买家付款' then 'awaiting_payment'
            when '买家已付款，等待卖家发货' then 'awaiting_shipment'
            when '卖家已发货，等待买家确认' then 'shipped'
            when '交易成功' then 'completed'
            when '交易关闭' then 'closed'
            else 'other'
        end as order_status_code
    from deduplicated
),

flagged as (
    select
        *,
        paid_at is not null
        or order_status_code in ('awaiting_shipment', 'shipped', 'completed') as is_paid,
        order_status_code = 'closed' as is_cancelled
    from with_status
),

with_net_amount as (
    select
        *,
        is_paid and (is_cancelled or coalesce(refund_amount, 0) > 0) as is_refund,
        cast(
            case
                when not is_paid then 0
                when is_cancelled then 0
                else greatest(coalesce(paid_amount, 0) - coalesce(refund_amount, 0), 0)
            end as {{ money_type() }}
        ) as net_amount
    from flagged
)

select * from with_net_amount
