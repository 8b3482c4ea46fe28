{{ config(unique_key='tag_id') }}

with

corp_tags as (
    select * from {{ source('wecom', 'corp_tags') }}
    {{ new_loads_only() }}
),

renamed as (
    select
        {{ nullif_junk('tag_id') }} as tag_id,
        {{ trim_text('tag_name') }} as tag_name,
        {{ nullif_junk('group_id') }} as tag_group_id,
        {{ trim_text('group_name') }} as tag_group_name,
        try_cast({{ trim_text('tag_order') }} as bigint) as tag_order,
        try_cast({{ trim_text('group_order') }} as bigint) as tag_group_order,
        {{ shanghai_ts_from_unix_seconds('tag_create_time') }} as tag_created_at,
        {{ shanghai_ts_from_unix_seconds('group_create_time') }} as tag_group_created_at,
        coalesce(lower({{ trim_text('deleted') }}) in ('true', '1'), false) as is_deleted,
        {{ lineage_columns() }}
    from corp_tags
),

deduplicated as (
    {{ latest_record('renamed', ['tag_id']) }}
)

select * from deduplicated
