{{ config(unique_key='order_item_id') }}

with

orders as (
    select * from {{ source('jd', 'orders') }}
    {{ new_loads_only() }}
),

renamed as (
    select
        {{ nullif_junk('order_id') }} || ':' || {{ nullif_junk('sku_id') }} as order_item_id,
        {{ nullif_junk('order_id') }} as order_id,
        {{ nullif_junk('sku_id') }} as sku_id,
        {{ trim_text('product_name') }} as product_name,
        {{ trim_text('item_no') }} as item_no,
        try_cast({{ trim_text('quantity') }} as integer) as quantity,
        {{ text_to_yuan('jd_price') }} as jd_price,
        {{ text_to_yuan('order_amount') }} as order_amount,
        {{ text_to_yuan('settlement_amount') }} as settlement_amount,
        {{ text_to_yuan('balance_paid') }} as balance_paid,
        {{ text_to_yuan('payable_amount') }} as payable_amount,
        {{ text_to_yuan('freight_amount') }} as freight_amount,
        {{ trim_text('payment_method') }} as payment_method,
        {{ trim_text('order_type') }} as order_type,
        {{ trim_text('order_source') }} as order_source,
        {{ trim_text('order_channel') }} as order_channel,
        -- what JD leaves of the buyer, all masked: the buyer key hashes it as shown; the masked
        -- name, mobile and region are kept for probabilistic linking; address and remarks stay in raw
        case
            when coalesce(
                    {{ trim_text('buyer_account') }}, {{ trim_text('customer_name') }},
                    {{ trim_text('contact_phone') }}, {{ trim_text('customer_address') }}
                ) is not null
                then {{ keyed_hash(
                    "concat_ws('|', coalesce(" ~ trim_text('buyer_account') ~ ", ''), coalesce(" ~ trim_text('customer_name')
                    ~ ", ''), coalesce(" ~ trim_text('contact_phone') ~ ", ''), coalesce(" ~ trim_text('customer_address') ~ ", ''))"
                ) }}
        end as buyer_key_hash,
        nullif(replace({{ trim_text('customer_name') }}, '＊', '*'), '') as customer_name_masked,
        {{ mask_phone('contact_phone') }} as contact_phone_masked,
        {{ phone_kind('contact_phone') }} as contact_phone_kind,
        nullif(trim({{ regexp_replace_all(trim_text('customer_address'), '[*＊].*$', '') }}), '') as region,
        {{ shanghai_ts_from_local_text('ordered_time') }} as ordered_at,
        {{ shanghai_ts_from_local_text('paid_time') }} as paid_at,
        {{ shanghai_ts_from_local_text('completed_time') }} as completed_at,
        {{ trim_text('order_status') }} as order_status,
        {{ lineage_columns() }}
    from orders
),

deduplicated as (
    {{ latest_record('renamed', ['order_item_id']) }}
),

with_status as (
    select
        *,
        order_status like '(删除)%' as is_deleted,
        case replace(order_status, '(删除)', '')
            when '等待出库' then 'awaiting_shipment'
            when '等待确认收货' then 'shipped'
            when '完成' then 'completed'
            when '取消' then 'cancelled'
            when '已取消' then 'cancelled'
            when '已锁定' then 'locked'
            when '暂停' then 'paused'
            else 'other'
        end as order_status_code
    from deduplicated
),

flagged as (
    select
        *,
        paid_at is not null as is_paid,
        order_status_code = 'cancelled' as is_cancelled
    from with_status
)

select * from flagged
