{{ config(unique_key='sms_send_id') }}

with

sends as (
    select * from {{ source('sms', 'sends') }}
    {{ new_loads_only() }}
),

renamed as (
    select
        {{ hash_phone('phone_num') }} as phone_hash,
        {{ phone_kind('phone_num') }} as phone_kind,
        {{ keyed_hash(phone_without_separators('phone_num')) }} as recipient_key,
        try_cast({{ trim_text('send_status') }} as integer) as send_status_code,
        {{ trim_text('err_code') }} as error_code,
        {{ trim_text('template_code') }} as template_code,
        {{ shanghai_ts_from_local_text('send_date') }} as sent_at,
        {{ shanghai_ts_from_local_text('receive_date') }} as received_at,
        {{ nullif_junk('out_id') }} as out_id,
        {{ lineage_columns() }}
    from sends
),

deduplicated as (
    {{ latest_record('renamed', ['recipient_key', 'sent_at', 'template_code', 'out_id']) }}
),

labelled as (
    select
        {{ surrogate_key(['recipient_key', 'sent_at', 'template_code', 'out_id']) }} as sms_send_id,
        phone_hash,
        phone_kind,
        case send_status_code
            when 1 then 'waiting'
            when 2 then 'failed'
            when 3 then 'delivered'
            else 'unknown'
        end as send_status,
        error_code,
        template_code,
        out_id,
        sent_at,
        received_at,
        source_file,
        source_row_number,
        source_loaded_at
    from deduplicated
),

flagged as (
    select
        *,
        send_status = 'delivered' as is_delivered
    from labelled
)

select * from flagged
