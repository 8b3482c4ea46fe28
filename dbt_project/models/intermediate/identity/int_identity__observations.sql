{#-
    Every identifier seen in a staged record, one row per (source, combination of identifiers).
    Identifiers seen together in one record of a source share its record_key; link rules turn
    such pairs into edges (int_identity__edges).
-#}
{%- set mp_ids = [
    {'id_type': 'mp_openid', 'column': 'mp_openid'},
    {'id_type': 'unionid', 'column': 'unionid'},
    {'id_type': 'phone_hash', 'column': 'phone_hash', 'junk_reason': test_phone_reason('phone_kind')},
] -%}
{%- set oa_ids = [
    {'id_type': 'oa_openid', 'column': 'oa_openid'},
    {'id_type': 'unionid', 'column': 'unionid'},
] -%}
{%- set wecom_ids = [
    {'id_type': 'wecom_external_userid', 'column': 'external_userid'},
    {'id_type': 'unionid', 'column': 'unionid'},
    {'id_type': 'phone_hash', 'column': 'phone_hash', 'junk_reason': test_phone_reason('phone_kind')},
] -%}
{%- set member_ids = [
    {'id_type': 'member_id', 'column': 'member_id'},
    {'id_type': 'phone_hash', 'column': 'phone_hash', 'junk_reason': test_phone_reason('phone_kind')},
] -%}
{%- set app_ids = [
    {'id_type': 'app_user_id', 'column': 'app_user_id'},
    {'id_type': 'device_id', 'column': 'device_id'},
    {'id_type': 'phone_hash', 'column': 'phone_hash', 'junk_reason': test_phone_reason('phone_kind')},
    {'id_type': 'unionid', 'column': 'unionid'},
] -%}
{%- set payer_ids = [{'id_type': 'mp_openid', 'column': 'mp_openid'}] -%}
{%- set store_buyer_ids = [{'id_type': 'member_id', 'column': 'member_id'}] -%}
{%- set sms_ids = [
    {'id_type': 'phone_hash', 'column': 'phone_hash', 'junk_reason': test_phone_reason('phone_kind')},
] -%}
{%- set tmall_ids = [
    {'id_type': 'tmall_buyer', 'column': 'buyer_nick'},
    {'id_type': 'phone_hash', 'column': 'receiver_phone_hash', 'junk_reason': test_phone_reason('receiver_phone_kind')},
] -%}
{%- set douyin_ids = [{'id_type': 'douyin_buyer', 'column': 'buyer_key_hash'}] -%}

with

mp_users as (
    select * from {{ ref('stg_wechat_mp__users') }}
),

oa_followers as (
    select * from {{ ref('stg_wechat_oa__followers') }}
),

wecom_contacts as (
    select * from {{ ref('stg_wecom__contacts') }}
),

wecom_contact_phones as (
    select * from {{ ref('stg_wecom__contact_phones') }}
),

pos_members as (
    select * from {{ ref('stg_pos__members') }}
),

pos_orders as (
    select * from {{ ref('stg_pos__orders') }}
),

app_events as (
    select * from {{ ref('stg_app__events') }}
),

wechatpay_transactions as (
    select * from {{ ref('stg_wechatpay__transactions') }}
),

wechatpay_coupons as (
    select * from {{ ref('stg_wechatpay__coupons') }}
),

sms_sends as (
    select * from {{ ref('stg_sms__sends') }}
),

tmall_orders as (
    select * from {{ ref('stg_tmall__orders') }}
),

douyin_order_items as (
    select * from {{ ref('stg_douyin__order_items') }}
),

-- an unsubscribed follower carries no subscribe time: when it was seen stays unknown (null),
-- never the load time, so as_of_at() and first-seen dates depend on the data, not the run
oa_followers_seen as (
    select
        *,
        subscribed_at as seen_at
    from oa_followers
),

-- a contact's guide-typed mobiles belong to the same record as the contact
wecom_contacts_with_phones as (
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
),

payers as (
    select
        transaction_key as record_key,
        mp_openid,
        traded_at as seen_at
    from wechatpay_transactions
    union all
    select
        coupon_id as record_key,
        mp_openid,
        issued_at as seen_at
    from wechatpay_coupons
),

mp_combinations as ({{ identifier_combinations('mp_users', 'mp_openid', 'registered_at', mp_ids) }}),

oa_combinations as ({{ identifier_combinations('oa_followers_seen', 'oa_openid', 'seen_at', oa_ids) }}),

wecom_combinations as (
    {{ identifier_combinations('wecom_contacts_with_phones', 'contact_follow_id', 'added_at', wecom_ids) }}
),

member_combinations as (
    {{ identifier_combinations('pos_members', 'member_id', 'registered_at', member_ids) }}
),

store_buyer_combinations as (
    {{ identifier_combinations('pos_orders', 'order_no', 'ordered_at', store_buyer_ids) }}
),

app_combinations as ({{ identifier_combinations('app_events', 'event_key', 'event_at', app_ids) }}),

payer_combinations as ({{ identifier_combinations('payers', 'record_key', 'seen_at', payer_ids) }}),

sms_combinations as ({{ identifier_combinations('sms_sends', 'sms_send_id', 'sent_at', sms_ids) }}),

tmall_combinations as ({{ identifier_combinations('tmall_orders', 'order_id', 'created_at', tmall_ids) }}),

douyin_combinations as (
    {{ identifier_combinations('douyin_order_items', 'main_order_id', 'submitted_at', douyin_ids) }}
),

observations as (
    {{ unpivot_identifiers('mp_combinations', 'wechat_mp', mp_ids) }}
    union all
    {{ unpivot_identifiers('oa_combinations', 'wechat_oa', oa_ids) }}
    union all
    {{ unpivot_identifiers('wecom_combinations', 'wecom', wecom_ids) }}
    union all
    {{ unpivot_identifiers('member_combinations', 'pos', member_ids) }}
    union all
    {{ unpivot_identifiers('store_buyer_combinations', 'pos_orders', store_buyer_ids) }}
    union all
    {{ unpivot_identifiers('app_combinations', 'app', app_ids) }}
    union all
    {{ unpivot_identifiers('payer_combinations', 'wechatpay', payer_ids) }}
    union all
    {{ unpivot_identifiers('sms_combinations', 'sms', sms_ids) }}
    union all
    {{ unpivot_identifiers('tmall_combinations', 'tmall', tmall_ids) }}
    union all
    {{ unpivot_identifiers('douyin_combinations', 'douyin', douyin_ids) }}
)

select * from observations
