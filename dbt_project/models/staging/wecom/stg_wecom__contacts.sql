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
