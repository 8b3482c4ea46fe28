{#-
    App product views and add-to-carts (ViewProduct, AddToCart) up to as_of_at(), resolved to
    customers: through the logged-in app user id, else the device.
-#}
with

app_events as (
    select * from {{ ref('stg_app__events') }}
),

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

product_events as (
    select
        app_events.event_key,
        app_events.event_name,
        case when app_events.app_user_id is not null then 'app_user_id' else 'device_id' end as id_type,
        coalesce(app_events.app_user_id, app_events.device_id) as id_value,
        app_events.event_at,
        app_events.product_id,
        app_events.category,
        app_events.price
    from app_events
    cross join as_of
    where
        app_events.event_name in ('ViewProduct', 'AddToCart')
        and app_events.event_at <= as_of.as_of_at
),

resolved as (
    select
        product_events.event_key,
        customer_ids.customer_id,
        product_events.event_name,
        product_events.event_at,
        product_events.product_id,
        product_events.category,
        product_events.price
    from product_events
    inner join customer_ids
        on
            product_events.id_type = customer_ids.id_type
            and product_events.id_value = customer_ids.id_value
)

select * from resolved
