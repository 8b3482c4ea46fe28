{#-
    Shared first step of the three WeCom contact models: one row per contact x guide from the
    latest delivery, identifiers cleaned, the JSON arrays (tag_ids, remark_mobiles) still as text.
    Ephemeral: it is never stored, because remark_mobiles holds phones in clear.
-#}
{{ config(materialized='ephemeral') }}

with

contacts as (
    select * from {{ source('wecom', 'contacts') }}
),

renamed as (
    select
        {{ nullif_junk('external_userid') }} as external_userid,
        {{ nullif_junk('guide_userid') }} as guide_userid,
        {{ nullif_junk('unionid') }} as unionid,
        {{ trim_text('contact_type') }} as contact_type_code,
        {{ trim_text('gender') }} as gender_code,
        {{ trim_text('corp_name') }} as corp_name,
        {{ shanghai_ts_from_unix_seconds('createtime') }} as added_at,
        try_cast({{ trim_text('add_way') }} as integer) as add_way,
        {{ trim_text('state') }} as channel_code,
        {{ nullif_junk('oper_userid') }} as oper_userid,
        {{ trim_text('tag_ids') }} as tag_ids_json,
        {{ trim_text('remark_mobiles') }} as remark_mobiles_json,
        {{ lineage_columns() }}
    from contacts
),

deduplicated as (
    {{ latest_record('renamed', ['external_userid', 'guide_userid']) }}
),

with_follow_id as (
    select
        {{ surrogate_key(['external_userid', 'guide_userid']) }} as contact_follow_id,
        *
    from deduplicated
)

select * from with_follow_id
