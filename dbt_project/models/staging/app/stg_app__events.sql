{{ config(unique_key='event_key') }}

with

events as (
    select * from {{ source('app', 'events') }}
    {{ new_loads_only() }}
),

renamed as (
    select
        {{ trim_text('event') }} as event_name,
        {{ trim_text('event_type') }} as event_type,
        try_cast({{ trim_text('event_time_ms') }} as bigint) as event_time_ms,
        {{ shanghai_ts_from_unix_millis('event_time_ms') }} as event_at,
        {{ nullif_junk('distinct_id') }} as distinct_id,
        {{ nullif_junk('login_id') }} as app_user_id,
        {{ nullif_junk('anonymous_id') }} as device_id,
        {{ trim_text(json_string('properties', '$utm_source')) }} as utm_source,
        {{ trim_text(json_string('properties', '$utm_campaign')) }} as utm_campaign,
        {{ nullif_junk(json_string('properties', 'product_id')) }} as product_id,
        {{ trim_text(json_string('properties', 'category')) }} as category,
        {{ text_to_yuan(json_string('properties', 'price')) }} as price,
        {{ nullif_junk(json_string('properties', 'order_id')) }} as order_id,
        {{ trim_text(json_string('properties', 'share_source')) }} as share_source,
        {{ nullif_junk(json_string('properties', 'unionid')) }} as unionid,
        {{ hash_phone(json_string('properties', 'phone')) }} as phone_hash,
        {{ phone_kind(json_string('properties', 'phone')) }} as phone_kind,
        {{ lineage_columns() }}
    from events
),

with_event_key as (
    select
        {{ surrogate_key(['distinct_id', 'event_name', 'event_time_ms', 'event_type']) }} as event_key,
        *
    from renamed
),

deduplicated as (
    {{ latest_record('with_event_key', ['event_key']) }}
)

select * from deduplicated
