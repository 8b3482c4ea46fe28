{{ config(unique_key='member_id') }}

with

members as (
    select * from {{ source('pos', 'members') }}
    {{ new_loads_only() }}
),

renamed as (
    select
        {{ nullif_junk('member_id') }} as member_id,
        {{ hash_phone('phone') }} as phone_hash,
        {{ phone_kind('phone') }} as phone_kind,
        case
            when lower({{ trim_text('gender') }}) in ('m', 'male', '男', '1') then 'male'
            when lower({{ trim_text('gender') }}) in ('f', 'female', '女', '2') then 'female'
            else 'unknown'
        end as gender,
        cast({{ shanghai_ts_from_local_text('birthday') }} as date) as birthday,
        {{ nullif_junk('register_store_id') }} as register_store_id,
        {{ shanghai_ts_from_local_text('register_time') }} as registered_at,
        {{ trim_text('level') }} as member_level,
        try_cast({{ trim_text('points') }} as bigint) as points,
        {{ nullif_junk('guide_id') }} as guide_id,
        {{ lineage_columns() }}
    from members
),

deduplicated as (
    {{ latest_record('renamed', ['member_id']) }}
)

select * from deduplicated
