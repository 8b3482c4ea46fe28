{{
    config(
        unique_key='customer_id',
        on_schema_change='fail',
        post_hook="{{ remove_customers_without_identifiers() }}",
    )
}}
{#-
    The golden record: one row per resolved person, with first touch and acquisition, channel
    reachability, owning guide and store, order totals net of refunds, lifecycle and RFM.
    Attributes that several sources know (gender, birthday) follow seed customer_attribute_sources.

    Incremental on DuckDB (docs/schedules.md): every column but the two a customer's touches
    decide (first_seen_channel, acquisition_*) is computed for every customer and compared with
    the row kept from the last build; the customers whose row differs or is new (a new or moved
    identifier, an order, a contact, a membership, a threshold crossed as as_of moves), and those
    int_touchpoints__changes lists, now or before, are written again, their touches ranked for
    them alone. A customer no identifier resolves to any more (merged into another, erased) is
    deleted (post-hook remove_customers_without_identifiers). Ranking every touch is what a
    rebuild would cost; the comparison reads only one row per customer. A column added to the
    model and not to compared_columns, or a kept table with other columns, stops the build (macro
    require_kept_columns). On Spark and on a full refresh, a table of everyone.
-#}
{#- the columns compared with the kept row: every one but the key and the touches' three -#}
{%- set compared_columns = [
    'first_seen_at', 'is_wecom_contact', 'is_oa_follower', 'is_mp_user', 'is_member', 'is_app_user',
    'owner_guide_id', 'home_store_id', 'first_order_at', 'last_order_at', 'orders_count', 'gmv',
    'refund_amount', 'lifecycle_stage', 'rfm_segment', 'recency_score', 'frequency_score',
    'monetary_score', 'phone_hash', 'gender', 'birthday', 'identifiers_count', 'last_seen_at',
] -%}
{%- set touch_columns = ['first_seen_channel', 'acquisition_channel', 'acquisition_campaign_id'] -%}
{{ require_kept_columns(['customer_id'] + touch_columns + compared_columns) }}
-- depends_on: {{ ref('int_touchpoints__changes') }}
with

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints__unioned') }}
),

order_summary as (
    select * from {{ ref('int_customer__order_summary') }}
),

rfm as (
    select * from {{ ref('int_customer__rfm_scored') }}
),

home_stores as (
    select * from {{ ref('int_customer__home_store') }}
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

pos_members as (
    select * from {{ ref('stg_pos__members') }}
),

attribute_sources as (
    select * from {{ ref('customer_attribute_sources') }}
),

identifiers as (
    select
        customer_id,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        count(*) as identifiers_count,
        bool_or(id_type = 'app_user_id') as is_app_user
    from customer_ids
    group by customer_id
),

wecom_follows as (
    select
        customer_ids.customer_id,
        wecom_contacts.guide_userid,
        row_number() over (
            partition by customer_ids.customer_id
            order by wecom_contacts.added_at, wecom_contacts.guide_userid
        ) as follow_rank
    from wecom_contacts
    inner join customer_ids
        on
            customer_ids.id_type = 'wecom_external_userid'
            and wecom_contacts.external_userid = customer_ids.id_value
),

oa_subscribed as (
    select distinct customer_ids.customer_id
    from oa_followers
    inner join customer_ids
        on
            customer_ids.id_type = 'oa_openid'
            and oa_followers.oa_openid = customer_ids.id_value
    where oa_followers.is_subscribed
),

mp_registered as (
    select distinct customer_ids.customer_id
    from mp_users
    inner join customer_ids
        on
            customer_ids.id_type = 'mp_openid'
            and mp_users.mp_openid = customer_ids.id_value
),

latest_phone as (
    select
        customer_id,
        id_value as phone_hash,
        row_number() over (
            partition by customer_id order by last_seen_at desc nulls last, id_value asc
        ) as phone_rank
    from customer_ids
    where id_type = 'phone_hash'
),

attribute_candidates as (
    select
        memberships_source.customer_id,
        'pos' as source,
        pos_members.gender,
        cast(pos_members.birthday as {{ dbt.type_string() }}) as birthday,
        pos_members.registered_at as observed_at
    from pos_members
    inner join customer_ids as memberships_source
        on
            memberships_source.id_type = 'member_id'
            and pos_members.member_id = memberships_source.id_value
    union all
    select
        contacts_source.customer_id,
        'wecom' as source,
        nullif(wecom_contacts.gender, 'unknown') as gender,
        cast(null as {{ dbt.type_string() }}) as birthday,
        wecom_contacts.added_at as observed_at
    from wecom_contacts
    inner join customer_ids as contacts_source
        on
            contacts_source.id_type = 'wecom_external_userid'
            and wecom_contacts.external_userid = contacts_source.id_value
),

attribute_values as (
    select
        attribute_candidates.customer_id,
        'gender' as attribute_name,
        attribute_candidates.gender as attribute_value,
        attribute_candidates.source,
        attribute_candidates.observed_at
    from attribute_candidates
    where attribute_candidates.gender is not null
    union all
    select
        attribute_candidates.customer_id,
        'birthday' as attribute_name,
        attribute_candidates.birthday as attribute_value,
        attribute_candidates.source,
        attribute_candidates.observed_at
    from attribute_candidates
    where attribute_candidates.birthday is not null
),

golden_attributes as (
    select
        customer_id,
        max(case when attribute_name = 'gender' then attribute_value end) as gender,
        max(case when attribute_name = 'birthday' then attribute_value end) as birthday
    from (
        select
            attribute_values.*,
            row_number() over (
                partition by attribute_values.customer_id, attribute_values.attribute_name
                order by attribute_sources.priority asc, attribute_values.observed_at desc
            ) as value_rank
        from attribute_values
        inner join attribute_sources
            on
                attribute_values.attribute_name = attribute_sources.attribute_name
                and attribute_values.source = attribute_sources.source
    ) as ranked_values
    where value_rank = 1
    group by customer_id
),

customer_rows as (
    select
        identifiers.customer_id,
        identifiers.first_seen_at,
        wecom_follows.customer_id is not null as is_wecom_contact,
        oa_subscribed.customer_id is not null as is_oa_follower,
        mp_registered.customer_id is not null as is_mp_user,
        coalesce(home_stores.has_membership, false) as is_member,
        identifiers.is_app_user,
        coalesce(wecom_follows.guide_userid, home_stores.membership_guide_id) as owner_guide_id,
        home_stores.home_store_id,
        order_summary.first_order_at,
        order_summary.last_order_at,
        coalesce(order_summary.orders_count, 0) as orders_count,
        cast(coalesce(order_summary.gmv, 0) as {{ money_type() }}) as gmv,
        cast(coalesce(order_summary.refund_amount, 0) as {{ money_type() }}) as refund_amount,
        rfm.lifecycle_stage,
        rfm.rfm_segment,
        rfm.recency_score,
        rfm.frequency_score,
        rfm.monetary_score,
        latest_phone.phone_hash,
        golden_attributes.gender,
        cast(golden_attributes.birthday as date) as birthday,
        identifiers.identifiers_count,
        identifiers.last_seen_at
    from identifiers
    left join wecom_follows
        on identifiers.customer_id = wecom_follows.customer_id and wecom_follows.follow_rank = 1
    left join home_stores
        on identifiers.customer_id = home_stores.customer_id
    left join oa_subscribed
        on identifiers.customer_id = oa_subscribed.customer_id
    left join mp_registered
        on identifiers.customer_id = mp_registered.customer_id
    left join order_summary
        on identifiers.customer_id = order_summary.customer_id
    left join rfm
        on identifiers.customer_id = rfm.customer_id
    left join latest_phone
        on identifiers.customer_id = latest_phone.customer_id and latest_phone.phone_rank = 1
    left join golden_attributes
        on identifiers.customer_id = golden_attributes.customer_id
),

{% if is_incremental() -%}
kept as (
    select * from {{ this }}
),

-- new customers, and those whose row differs from the kept one in a column computed above
changed_customers as (
    {{ changed_rows('customer_rows', 'kept', 'customer_id', compared_columns, []) }}
),

touched as (
    select customer_id from changed_customers
    where not is_gone
    union
    {{ customers_touched_by(ref('int_touchpoints__changes')) }}
),

{% endif -%}
ranked_touches as (
    select
        customer_id,
        channel,
        campaign_id,
        is_acquisition_touch,
        row_number() over (
            partition by customer_id order by touched_at, touchpoint_key
        ) as touch_rank,
        row_number() over (
            partition by customer_id, is_acquisition_touch order by touched_at, touchpoint_key
        ) as acquisition_rank
    from touchpoints
    {%- if is_incremental() %}
    where customer_id in (select customer_id from touched)
    {%- endif %}
),

first_touch as (
    select
        customer_id,
        channel as first_seen_channel
    from ranked_touches
    where touch_rank = 1
),

acquisition as (
    select
        customer_id,
        channel as acquisition_channel,
        campaign_id as acquisition_campaign_id
    from ranked_touches
    where is_acquisition_touch and acquisition_rank = 1
),

final as (
    select
        customer_rows.customer_id,
        customer_rows.first_seen_at,
        first_touch.first_seen_channel,
        acquisition.acquisition_channel,
        acquisition.acquisition_campaign_id,
        customer_rows.is_wecom_contact,
        customer_rows.is_oa_follower,
        customer_rows.is_mp_user,
        customer_rows.is_member,
        customer_rows.is_app_user,
        customer_rows.owner_guide_id,
        customer_rows.home_store_id,
        customer_rows.first_order_at,
        customer_rows.last_order_at,
        customer_rows.orders_count,
        customer_rows.gmv,
        customer_rows.refund_amount,
        customer_rows.lifecycle_stage,
        customer_rows.rfm_segment,
        customer_rows.recency_score,
        customer_rows.frequency_score,
        customer_rows.monetary_score,
        customer_rows.phone_hash,
        customer_rows.gender,
        customer_rows.birthday,
        customer_rows.identifiers_count,
        customer_rows.last_seen_at
    from customer_rows
    left join first_touch
        on customer_rows.customer_id = first_touch.customer_id
    left join acquisition
        on customer_rows.customer_id = acquisition.customer_id
    {%- if is_incremental() %}
    where customer_rows.customer_id in (select customer_id from touched)
    {%- endif %}
)

select * from final
