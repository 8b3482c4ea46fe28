{{ config(unique_key='oa_openid') }}

with

followers as (
    select * from {{ source('wechat_oa', 'followers') }}
    {{ new_loads_only() }}
),

renamed as (
    select
        {{ nullif_junk('openid') }} as oa_openid,
        {{ nullif_junk('unionid') }} as unionid,
        coalesce({{ trim_text('subscribe') }} = '1', false) as is_subscribed,
        {{ shanghai_ts_from_unix_seconds('subscribe_time') }} as subscribed_at,
        {{ trim_text('subscribe_scene') }} as subscribe_scene,
        try_cast({{ trim_text('qr_scene') }} as bigint) as qr_scene,
        {{ trim_text('qr_scene_str') }} as qr_scene_str,
        {{ trim_text('language') }} as user_language,
        {{ nullif_junk('groupid') }} as group_id,
        {{ trim_text('tagid_list') }} as tag_ids,
        {{ lineage_columns() }}
    from followers
),

deduplicated as (
    {{ latest_record('renamed', ['oa_openid']) }}
)

select * from deduplicated
