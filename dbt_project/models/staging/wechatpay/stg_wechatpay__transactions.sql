{{ config(unique_key='transaction_key') }}

with

bills as (
    select * from {{ source('wechatpay', 'bills') }}
    {{ new_loads_only() }}
),

renamed as (
    select
        {{ strip_backtick('transaction_id') }} as transaction_id,
        nullif({{ strip_backtick('refund_id') }}, '0') as refund_id,
        {{ strip_backtick('out_trade_no') }} as out_trade_no,
        nullif({{ strip_backtick('out_refund_no') }}, '0') as out_refund_no,
        {{ shanghai_ts_from_local_text(strip_backtick('trade_time')) }} as traded_at,
        {{ nullif_junk(strip_backtick('payer_openid')) }} as mp_openid,
        {{ strip_backtick('appid') }} as appid,
        {{ strip_backtick('mch_id') }} as mch_id,
        {{ strip_backtick('sub_mch_id') }} as sub_mch_id,
        {{ strip_backtick('device_info') }} as device_info,
        {{ strip_backtick('trade_type') }} as trade_type,
        upper({{ strip_backtick('trade_state') }}) as trade_state,
        {{ strip_backtick('bank_type') }} as bank_type,
        {{ strip_backtick('currency') }} as currency_code,
        {{ text_to_yuan(strip_backtick('order_amount')) }} as order_amount,
        {{ text_to_yuan(strip_backtick('settlement_total')) }} as settlement_amount,
        {{ text_to_yuan(strip_backtick('coupon_amount')) }} as coupon_amount,
        {{ text_to_yuan(strip_backtick('refund_amount')) }} as refund_amount,
        {{ text_to_yuan(strip_backtick('coupon_refund_amount')) }} as coupon_refund_amount,
        {{ text_to_yuan(strip_backtick('requested_refund_amount')) }} as requested_refund_amount,
        {{ strip_backtick('refund_type') }} as refund_type,
        {{ strip_backtick('refund_status') }} as refund_status,
        {{ text_to_yuan(strip_backtick('fee')) }} as fee_amount,
        {{ strip_backtick('fee_rate') }} as fee_rate,
        {{ strip_backtick('fee_rate_note') }} as fee_rate_note,
        {{ strip_backtick('product_name') }} as product_name,
        {{ strip_backtick('attach') }} as merchant_data,
        {{ lineage_columns() }}
    from bills
),

deduplicated as (
    {{ latest_record('renamed', ['transaction_id', 'refund_id']) }}
),

flagged as (
    select
        {{ surrogate_key(['transaction_id', 'refund_id']) }} as transaction_key,
        -- an "all transactions" bill may also hold REVOKED/CLOSED/NOTPAY rows: never revenue
        case trade_state
            when 'SUCCESS' then 'payment'
            when 'REFUND' then 'refund'
            else 'other'
        end as transaction_type,
        trade_state = 'REFUND' as is_refund,
        cast(
            case
                when trade_state = 'REFUND' then -coalesce(refund_amount, 0)
                when trade_state = 'SUCCESS' then coalesce(settlement_amount, 0)
                else 0
            end as {{ money_type() }}
        ) as net_amount,
        *
    from deduplicated
)

select * from flagged
