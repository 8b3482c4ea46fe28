{#-
    A table, rebuilt from the whole raw history on every build, where the other staging models are
    incremental: it reads the ephemeral base model, which holds phones in clear and so is never
    stored, and a re-delivered record must drop its rows that the new delivery no longer lists.
-#}
{{ config(materialized='table') }}

with

contact_follows as (
    select * from {{ ref('base_wecom__contact_follows') }}
),

labelled as (
    select
        contact_follow_id,
        external_userid,
        guide_userid,
        unionid,
        case contact_type_code
            when '1' then 'wechat'
            when '2' then 'wecom'
        end as contact_type,
        case gender_code
            when '1' then 'male'
            when '2' then 'female'
            else 'unknown'
        end as gender,
        corp_name,
        added_at,
        add_way,
        channel_code,
        oper_userid,
        source_file,
        source_row_number,
        source_loaded_at
    from contact_follows
)

select * from labelled
