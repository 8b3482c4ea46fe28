{{ config(unique_key='mp_openid') }}

with

users as (
    select * from {{ source('wechat_mp', 'users') }}
    {{ new_loads_only() }}
),

renamed as (
    select
        {{ nullif_junk('openid') }} as mp_openid,
        {{ nullif_junk('unionid') }} as unionid,
        {{ hash_phone('phone') }} as phone_hash,
        {{ phone_kind('phone') }} as phone_kind,
        {{ shanghai_ts_from_local_text('register_time') }} as registered_at,
        try_cast({{ trim_text('scene') }} as integer) as scene,
        {{ query_param(trim_text('scene_query'), 'utm_source') }} as utm_source,
        {{ query_param(trim_text('scene_query'), 'utm_campaign') }} as utm_campaign,
        {{ lineage_columns() }}
    from users
),

deduplicated as (
    {{ latest_record('renamed', ['mp_openid']) }}
)

select * from deduplicated
