{#-
    How each customer can be reached, one row per customer and channel, as of as_of_at():
    - wecom: a WeCom external contact of a guide; reach_id the external_userid, owner_guide_id the
      guide who added them first (as dim_customer.owner_guide_id), who sends the 1v1 message;
    - official_account: a current follower; reach_id the OA openid (latest subscription);
    - mini_program: a registered mini-program user; reach_id the mp openid (latest registration);
    - sms: a phone_hash of the customer that received a delivered SMS; reach_id that phone_hash
      (latest delivery), which the SMS provider matches against its hashed numbers.
    is_reachable is false when the customer opted out of the channel or of all channels.
-#}
with

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

wecom_contacts as (
    select * from {{ ref('stg_wecom__contacts') }}
),

oa_followers as (
    select * from {{ ref('stg_wechat_oa__followers') }}
),

mp_users as (
    select * from {{ ref('stg_wechat_mp__users') }}
),

sms_sends as (
    select * from {{ ref('stg_sms__sends') }}
),

opt_outs as (
    select * from {{ ref('int_tags__opt_outs') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

wecom_reach as (
    select
        customer_ids.customer_id,
        'wecom' as channel,
        'wecom_external_userid' as reach_id_type,
        wecom_contacts.external_userid as reach_id,
        wecom_contacts.guide_userid as owner_guide_id,
        wecom_contacts.added_at as reached_at,
        row_number() over (
            partition by customer_ids.customer_id
            order by wecom_contacts.added_at asc, wecom_contacts.guide_userid asc, wecom_contacts.external_userid asc
        ) as reach_rank
    from wecom_contacts
    inner join customer_ids
        on
            customer_ids.id_type = 'wecom_external_userid'
            and wecom_contacts.external_userid = customer_ids.id_value
    cross join as_of
    where wecom_contacts.added_at <= as_of.as_of_at
),

official_account_reach as (
    select
        customer_ids.customer_id,
        'official_account' as channel,
        'oa_openid' as reach_id_type,
        oa_followers.oa_openid as reach_id,
        cast(null as {{ dbt.type_string() }}) as owner_guide_id,
        oa_followers.subscribed_at as reached_at,
        row_number() over (
            partition by customer_ids.customer_id
            order by oa_followers.subscribed_at desc, oa_followers.oa_openid asc
        ) as reach_rank
    from oa_followers
    inner join customer_ids
        on
            customer_ids.id_type = 'oa_openid'
            and oa_followers.oa_openid = customer_ids.id_value
    cross join as_of
    where oa_followers.is_subscribed and oa_followers.subscribed_at <= as_of.as_of_at
),

mini_program_reach as (
    select
        customer_ids.customer_id,
        'mini_program' as channel,
        'mp_openid' as reach_id_type,
        mp_users.mp_openid as reach_id,
        cast(null as {{ dbt.type_string() }}) as owner_guide_id,
        mp_users.registered_at as reached_at,
        row_number() over (
            partition by customer_ids.customer_id
            order by mp_users.registered_at desc, mp_users.mp_openid asc
        ) as reach_rank
    from mp_users
    inner join customer_ids
        on
            customer_ids.id_type = 'mp_openid'
            and mp_users.mp_openid = customer_ids.id_value
    cross join as_of
    where mp_users.registered_at <= as_of.as_of_at
),

sms_deliveries as (
    select
        customer_ids.customer_id,
        sms_sends.phone_hash,
        max(sms_sends.sent_at) as last_delivered_at
    from sms_sends
    inner join customer_ids
        on
            customer_ids.id_type = 'phone_hash'
            and sms_sends.phone_hash = customer_ids.id_value
    cross join as_of
    where sms_sends.is_delivered and sms_sends.sent_at <= as_of.as_of_at
    group by customer_ids.customer_id, sms_sends.phone_hash
),

sms_reach as (
    select
        customer_id,
        'sms' as channel,
        'phone_hash' as reach_id_type,
        phone_hash as reach_id,
        cast(null as {{ dbt.type_string() }}) as owner_guide_id,
        last_delivered_at as reached_at,
        row_number() over (
            partition by customer_id order by last_delivered_at desc, phone_hash asc
        ) as reach_rank
    from sms_deliveries
),

unioned as (
    select * from wecom_reach
    union all
    select * from official_account_reach
    union all
    select * from mini_program_reach
    union all
    select * from sms_reach
),

channel_opt_outs as (
    select
        customer_id,
        channel,
        max(reason) as opted_out_reason
    from (
        select
            unioned.customer_id,
            unioned.channel,
            opt_outs.reason
        from unioned
        inner join opt_outs
            on
                unioned.customer_id = opt_outs.customer_id
                and (unioned.channel = opt_outs.channel or opt_outs.channel = 'all')
        where unioned.reach_rank = 1
    ) as matched_opt_outs
    group by customer_id, channel
),

final as (
    select
        {{ surrogate_key(['unioned.customer_id', 'unioned.channel']) }} as customer_channel_id,
        unioned.customer_id,
        unioned.channel,
        unioned.reach_id_type,
        unioned.reach_id,
        unioned.owner_guide_id,
        unioned.reached_at,
        channel_opt_outs.customer_id is not null as is_opted_out,
        channel_opt_outs.customer_id is null as is_reachable,
        channel_opt_outs.opted_out_reason
    from unioned
    left join channel_opt_outs
        on
            unioned.customer_id = channel_opt_outs.customer_id
            and unioned.channel = channel_opt_outs.channel
    where unioned.reach_rank = 1
)

select * from final
