{#-
    Counted orders up to as_of_at() with the guide and store credited for them (导购业绩):
    - guide: the order's own guide (store orders), else, for orders of the channels marked
      guide_credited in the channel registry, the customer's owner guide (dim_customer.owner_guide_id);
    - store: the order's own store, else the credited guide's home store, else (credit channels)
      the customer's home store.
    Walk-in store orders (no customer) keep their own guide and store.
-#}
{%- set credit_channels = funnel_sql_list(channel_names('guide_credited')) -%}

with

orders as (
    select * from {{ ref('fct_orders') }}
),

customers as (
    select * from {{ ref('dim_customer') }}
),

guide_stores as (
    select * from {{ ref('int_funnel__guide_stores') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

counted as (
    select orders.*
    from orders
    cross join as_of
    where orders.is_counted_order and orders.ordered_at <= as_of.as_of_at
),

with_guide as (
    select
        counted.order_key,
        counted.channel,
        counted.customer_id,
        counted.customer_order_number,
        counted.ordered_at,
        counted.net_amount,
        counted.store_id as order_store_id,
        counted.channel in {{ credit_channels }} as is_credit_channel,
        customers.home_store_id as customer_home_store_id,
        case
            when counted.guide_id is not null then counted.guide_id
            when counted.channel in {{ credit_channels }} then customers.owner_guide_id
        end as credited_guide_id,
        case
            when counted.guide_id is not null then 'order_guide'
            when counted.channel in {{ credit_channels }} and customers.owner_guide_id is not null
                then 'owner_guide'
        end as guide_credit_rule
    from counted
    left join customers
        on counted.customer_id = customers.customer_id
),

with_store as (
    select
        with_guide.order_key,
        with_guide.channel,
        with_guide.customer_id,
        with_guide.customer_order_number,
        with_guide.ordered_at,
        with_guide.net_amount,
        with_guide.credited_guide_id,
        with_guide.guide_credit_rule,
        case
            when with_guide.order_store_id is not null then with_guide.order_store_id
            when guide_stores.home_store_id is not null then guide_stores.home_store_id
            when with_guide.is_credit_channel then with_guide.customer_home_store_id
        end as credited_store_id,
        case
            when with_guide.order_store_id is not null then 'order_store'
            when guide_stores.home_store_id is not null then 'guide_home_store'
            when with_guide.is_credit_channel and with_guide.customer_home_store_id is not null
                then 'customer_home_store'
        end as store_credit_rule
    from with_guide
    left join guide_stores
        on with_guide.credited_guide_id = guide_stores.guide_id
)

select * from with_store
