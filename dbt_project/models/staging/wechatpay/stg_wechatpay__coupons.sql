{{ config(unique_key='coupon_id') }}

with

coupons as (
    select * from {{ source('wechatpay', 'coupons') }}
    {{ new_loads_only() }}
),

renamed as (
    select
        {{ nullif_junk('coupon_id') }} as coupon_id,
        {{ nullif_junk('stock_id') }} as stock_id,
        {{ nullif_junk('openid') }} as mp_openid,
        {{ trim_text('coupon_name') }} as coupon_name,
        upper({{ trim_text('status') }}) as coupon_status,
        {{ fen_to_yuan('coupon_amount') }} as coupon_amount,
        {{ shanghai_ts_from_rfc3339('create_time') }} as issued_at,
        {{ shanghai_ts_from_rfc3339('consume_time') }} as used_at,
        {{ nullif_junk('consume_transaction_id') }} as used_transaction_id,
        {{ lineage_columns() }}
    from coupons
),

deduplicated as (
    {{ latest_record('renamed', ['coupon_id']) }}
),

flagged as (
    select
        *,
        coupon_status = 'USED' as is_used,
        coupon_status = 'EXPIRED' as is_expired
    from deduplicated
)

select * from flagged
