{#-
    Corporate tags guides put on their WeCom contacts, as customer tags (tag_source wecom): one row
    per customer and tag, keyed 'wecom:<group name>/<tag name>' from the corp tag library (a tag id
    missing from the library: 'wecom:unknown/<tag id>'). A tag counts once however many guides
    applied it; contacts added after as_of_at() are left out.
-#}
with

contact_tags as (
    select * from {{ ref('stg_wecom__contact_tags') }}
),

contacts as (
    select * from {{ ref('stg_wecom__contacts') }}
),

corp_tags as (
    select * from {{ ref('stg_wecom__corp_tags') }}
),

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

applied as (
    select
        customer_ids.customer_id,
        case
            when corp_tags.tag_id is not null
                then
                    'wecom:' || coalesce(corp_tags.tag_group_name, '')
                    || '/' || coalesce(corp_tags.tag_name, corp_tags.tag_id)
            else 'wecom:unknown/' || contact_tags.tag_id
        end as tag_key,
        contact_tags.tag_id as wecom_tag_id,
        contact_tags.guide_userid,
        as_of.as_of_at
    from contact_tags
    inner join contacts
        on contact_tags.contact_follow_id = contacts.contact_follow_id
    inner join customer_ids
        on
            customer_ids.id_type = 'wecom_external_userid'
            and contact_tags.external_userid = customer_ids.id_value
    left join corp_tags
        on contact_tags.tag_id = corp_tags.tag_id
    cross join as_of
    where contacts.added_at <= as_of.as_of_at
),

per_customer as (
    select
        customer_id,
        tag_key,
        'true' as tag_value,
        min(wecom_tag_id) as wecom_tag_id,
        count(distinct guide_userid) as applying_guides,
        max(as_of_at) as computed_at
    from applied
    group by customer_id, tag_key
)

select * from per_customer
