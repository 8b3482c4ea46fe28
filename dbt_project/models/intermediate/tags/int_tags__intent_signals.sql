{#-
    Per customer: the last time, up to as_of_at(), they showed purchase intent.
    - viewed: an app ViewProduct; carted: an app AddToCart;
    - consulted: a WeCom guide added them as a contact (the 1v1 conversation starts there; WeCom
      exports carry no chat log, and guide tags carry no date, so neither counts);
    - high-value view: a ViewProduct or AddToCart of an item priced at or above var
      siyu_tags_high_value_price_yuan.
-#}
with

browse_events as (
    select * from {{ ref('int_tags__browse_events') }}
),

wecom_contacts as (
    select * from {{ ref('stg_wecom__contacts') }}
),

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

browsing as (
    select
        customer_id,
        max(case when event_name = 'ViewProduct' then event_at end) as last_viewed_at,
        max(case when event_name = 'AddToCart' then event_at end) as last_carted_at,
        max(
            case when price >= {{ var('siyu_tags_high_value_price_yuan') }} then event_at end
        ) as last_high_value_viewed_at
    from browse_events
    group by customer_id
),

consultations as (
    select
        customer_ids.customer_id,
        max(wecom_contacts.added_at) as last_consulted_at
    from wecom_contacts
    inner join customer_ids
        on
            customer_ids.id_type = 'wecom_external_userid'
            and wecom_contacts.external_userid = customer_ids.id_value
    cross join as_of
    where wecom_contacts.added_at <= as_of.as_of_at
    group by customer_ids.customer_id
),

customers as (
    select customer_id from browsing
    union
    select customer_id from consultations
),

final as (
    select
        customers.customer_id,
        browsing.last_viewed_at,
        browsing.last_carted_at,
        consultations.last_consulted_at,
        browsing.last_high_value_viewed_at
    from customers
    left join browsing
        on customers.customer_id = browsing.customer_id
    left join consultations
        on customers.customer_id = consultations.customer_id
)

select * from final
