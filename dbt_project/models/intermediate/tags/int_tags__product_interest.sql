{#-
    Per customer: the product category they care most about and the average price of the items
    they buy, over the var siyu_tags_preference_days days up to as_of_at(). Purchases come first:
    the preferred category is the one with the most units bought (store orders carry item
    categories), then the most app views and carts, then the most recent; the average item price
    is that of items bought, else of items viewed or carted (item_price_source says which).
-#}
with

orders as (
    select * from {{ ref('int_orders__resolved') }}
),

order_items as (
    select * from {{ ref('stg_pos__order_items') }}
),

browse_events as (
    select * from {{ ref('int_tags__browse_events') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

purchased_items as (
    select
        orders.customer_id,
        order_items.category,
        order_items.quantity,
        order_items.unit_price,
        orders.ordered_at as signal_at
    from order_items
    inner join orders
        on
            orders.channel = 'store'
            and order_items.order_no = orders.order_id
    cross join as_of
    where
        orders.customer_id is not null
        and orders.is_counted_order
        and orders.ordered_at <= as_of.as_of_at
        and {{ days_between('orders.ordered_at', 'as_of.as_of_at') }} <= {{ var('siyu_tags_preference_days') }}
),

browsed_items as (
    select
        browse_events.customer_id,
        browse_events.category,
        browse_events.price,
        browse_events.event_at as signal_at
    from browse_events
    cross join as_of
    where {{ days_between('browse_events.event_at', 'as_of.as_of_at') }} <= {{ var('siyu_tags_preference_days') }}
),

category_signals as (
    select
        customer_id,
        category,
        sum(purchased_units) as purchased_units,
        sum(browse_events) as browse_events,
        max(signal_at) as last_signal_at
    from (
        select
            customer_id,
            category,
            quantity as purchased_units,
            0 as browse_events,
            signal_at
        from purchased_items
        union all
        select
            customer_id,
            category,
            0 as purchased_units,
            1 as browse_events,
            signal_at
        from browsed_items
    ) as signals
    where category is not null
    group by customer_id, category
),

ranked_categories as (
    select
        customer_id,
        category,
        row_number() over (
            partition by customer_id
            order by purchased_units desc, browse_events desc, last_signal_at desc, category asc
        ) as category_rank
    from category_signals
),

purchase_prices as (
    select
        customer_id,
        sum(quantity * unit_price) / sum(quantity) as avg_price
    from purchased_items
    where quantity > 0 and unit_price is not null
    group by customer_id
),

browse_prices as (
    select
        customer_id,
        avg(price) as avg_price
    from browsed_items
    where price is not null
    group by customer_id
),

customers as (
    select customer_id from category_signals
    union
    select customer_id from purchase_prices
    union
    select customer_id from browse_prices
),

final as (
    select
        customers.customer_id,
        ranked_categories.category as preferred_category,
        cast(coalesce(purchase_prices.avg_price, browse_prices.avg_price) as {{ money_type() }}) as avg_item_price,
        case
            when purchase_prices.avg_price is not null then 'purchase'
            when browse_prices.avg_price is not null then 'browse'
        end as item_price_source
    from customers
    left join ranked_categories
        on customers.customer_id = ranked_categories.customer_id and ranked_categories.category_rank = 1
    left join purchase_prices
        on customers.customer_id = purchase_prices.customer_id
    left join browse_prices
        on customers.customer_id = browse_prices.customer_id
)

select * from final
