{#-
    One row per WeCom contact follow (a guide's customer) with the mobiles the guide typed for
    them (none, one or several rows): a contact's guide-typed mobiles belong to the same record as
    the contact, so identity links them to its external_userid and unionid.
-#}
with

wecom_contacts as (
    select * from {{ ref('stg_wecom__contacts') }}
),

wecom_contact_phones as (
    select * from {{ ref('stg_wecom__contact_phones') }}
),

final as (
    select
        wecom_contacts.contact_follow_id,
        wecom_contacts.external_userid,
        wecom_contacts.unionid,
        wecom_contacts.added_at,
        wecom_contact_phones.phone_hash,
        wecom_contact_phones.phone_kind
    from wecom_contacts
    left join wecom_contact_phones
        on wecom_contacts.contact_follow_id = wecom_contact_phones.contact_follow_id
)

select * from final
