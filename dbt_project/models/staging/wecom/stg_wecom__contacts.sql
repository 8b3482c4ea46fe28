{#-
    A table, rebuilt on every build, where the staging models that read a raw table are
    incremental: it reads an ephemeral base model, which is computed from the whole raw table
    each time (and, for WeCom, holds phones in clear, so it is never stored); and a re-delivered
    order or contact must also drop the lines, tags or phones its new delivery no longer lists,
    which delete+insert by a row key cannot do.
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
