{#-
    Shared first step of stg_pos__orders and stg_pos__order_items: one row per order from the latest
    delivery, cleaned and flagged, the order lines still as the JSON array `items_json`.
    Ephemeral: never stored on its own.
-#}
{{ config(materialized='ephemeral') }}

with

orders as (
    select * from {{ source('pos', 'orders') }}
),

renamed as (
    select
        {{ nullif_junk('order_no') }} as order_no,
        {{ nullif_junk('member_id') }} as member_id,
        {{ nullif_junk('store_id') }} as store_id,
        {{ nullif_junk('guide_id') }} as guide_id,
        {{ shanghai_ts_from_local_text('order_time') }} as ordered_at,
        {{ text_to_yuan('amount') }} as order_amount,
        {{ text_to_yuan('discount') }} as discount_amount,
        {{ nullif_junk('coupon_id') }} as coupon_id,
        upper({{ trim_text('status') }}) as order_status,
        {{ trim_text('items') }} as items_json,
        {{ lineage_columns() }}
    from orders
),

deduplicated as (
    {{ latest_record('renamed', ['order_no']) }}
),

flagged as (
    select
        *,
        order_status in ('PAID', 'REFUNDED') as is_paid,
        order_status = 'REFUNDED' as is_refund
    from deduplicated
)

select * from flagged
