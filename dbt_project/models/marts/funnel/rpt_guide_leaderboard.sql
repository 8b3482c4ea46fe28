{#-
    Guide and store leaderboard (业绩榜) over a period of whole days: var siyu_leaderboard_start_date
    to siyu_leaderboard_end_date, by default the siyu_leaderboard_days days up to and including the
    day of as_of_at() (nothing after as_of_at() counts). One row per guide (with their home store)
    and one per store (guide_id '(all)'):
    - customers_added: customers the guide (the store's guides) added on WeCom in the period;
    - customers_converted: of those, customers with a counted order after being added, by the end;
    - customers_ordered, orders, gmv: counted orders credited to the guide / store in the period
      (int_funnel__credited_orders; gmv is net of refunds);
    - repeat_customers: buyers of the period with an order that was their second or later;
    - settled_customers: buyers of the period who are a WeCom contact or OA follower;
    - gmv_rank: by gmv, then customers_ordered, then id, within guides and within stores.
-#}
{%- set start_date = var('siyu_leaderboard_start_date', none) -%}
{%- set end_date = var('siyu_leaderboard_end_date', none) -%}

with

credited_orders as (
    select * from {{ ref('int_funnel__credited_orders') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints__unioned') }}
),

guide_stores as (
    select * from {{ ref('int_funnel__guide_stores') }}
),

customers as (
    select * from {{ ref('dim_customer') }}
),

period_end as (
    select
        {{ as_of_at() }} as as_of_at,
        {% if end_date -%}
            cast('{{ end_date }}' as date)
        {%- else -%}
            cast({{ as_of_at() }} as date)
        {%- endif %} as period_end_date
),

period as (
    select
        as_of_at,
        period_end_date,
        {% if start_date -%}
            cast('{{ start_date }}' as date)
        {%- else -%}
            cast({{ dbt.dateadd('day', 1 - var('siyu_leaderboard_days'), 'period_end_date') }} as date)
        {%- endif %} as period_start_date
    from period_end
),

period_orders as (
    select
        credited_orders.*,
        period.period_end_date
    from credited_orders
    cross join period
    where
        cast(credited_orders.ordered_at as date) >= period.period_start_date
        and cast(credited_orders.ordered_at as date) <= period.period_end_date
),

period_additions as (
    select
        touchpoints.customer_id,
        touchpoints.guide_id,
        guide_stores.home_store_id as store_id,
        touchpoints.touched_at as added_at
    from touchpoints
    cross join period
    left join guide_stores
        on touchpoints.guide_id = guide_stores.guide_id
    where
        touchpoints.touch_type = 'wecom_contact_added'
        and touchpoints.guide_id is not null
        and touchpoints.touched_at <= period.as_of_at
        and cast(touchpoints.touched_at as date) >= period.period_start_date
        and cast(touchpoints.touched_at as date) <= period.period_end_date
),

-- an added customer converted when they placed any counted order after being added, by the end
additions_judged as (
    select
        period_additions.customer_id,
        period_additions.guide_id,
        period_additions.store_id,
        max(case when credited_orders.order_key is not null then 1 else 0 end) as is_converted
    from period_additions
    cross join period
    left join credited_orders
        on
            period_additions.customer_id = credited_orders.customer_id
            and period_additions.added_at <= credited_orders.ordered_at
            and cast(credited_orders.ordered_at as date) <= period.period_end_date
    group by period_additions.customer_id, period_additions.guide_id, period_additions.store_id
),

guide_additions as (
    select
        guide_id,
        count(distinct customer_id) as customers_added,
        count(distinct case when is_converted = 1 then customer_id end) as customers_converted
    from additions_judged
    group by guide_id
),

store_additions as (
    select
        store_id,
        count(distinct customer_id) as customers_added,
        count(distinct case when is_converted = 1 then customer_id end) as customers_converted
    from additions_judged
    where store_id is not null
    group by store_id
),

orders_with_customer as (
    select
        period_orders.*,
        customers.is_wecom_contact or customers.is_oa_follower as is_settled
    from period_orders
    left join customers
        on period_orders.customer_id = customers.customer_id
),

guide_sales as (
    select
        credited_guide_id as guide_id,
        count(*) as orders,
        cast(sum(net_amount) as {{ money_type() }}) as gmv,
        count(distinct customer_id) as customers_ordered,
        count(distinct case when customer_order_number >= 2 then customer_id end) as repeat_customers,
        count(distinct case when is_settled then customer_id end) as settled_customers
    from orders_with_customer
    where credited_guide_id is not null
    group by credited_guide_id
),

store_sales as (
    select
        credited_store_id as store_id,
        count(*) as orders,
        cast(sum(net_amount) as {{ money_type() }}) as gmv,
        count(distinct customer_id) as customers_ordered,
        count(distinct case when customer_order_number >= 2 then customer_id end) as repeat_customers,
        count(distinct case when is_settled then customer_id end) as settled_customers
    from orders_with_customer
    where credited_store_id is not null
    group by credited_store_id
),

stores as (
    select home_store_id as store_id
    from guide_stores
    where home_store_id is not null
    union
    select store_id from store_sales
),

guide_rows as (
    select
        'guide' as leaderboard_level,
        coalesce(guide_stores.home_store_id, '(none)') as store_id,
        guide_stores.guide_id,
        coalesce(guide_additions.customers_added, 0) as customers_added,
        coalesce(guide_additions.customers_converted, 0) as customers_converted,
        coalesce(guide_sales.customers_ordered, 0) as customers_ordered,
        coalesce(guide_sales.orders, 0) as orders,
        coalesce(guide_sales.gmv, 0) as gmv,
        coalesce(guide_sales.repeat_customers, 0) as repeat_customers,
        coalesce(guide_sales.settled_customers, 0) as settled_customers
    from guide_stores
    left join guide_additions
        on guide_stores.guide_id = guide_additions.guide_id
    left join guide_sales
        on guide_stores.guide_id = guide_sales.guide_id
),

store_rows as (
    select
        'store' as leaderboard_level,
        stores.store_id,
        '(all)' as guide_id,
        coalesce(store_additions.customers_added, 0) as customers_added,
        coalesce(store_additions.customers_converted, 0) as customers_converted,
        coalesce(store_sales.customers_ordered, 0) as customers_ordered,
        coalesce(store_sales.orders, 0) as orders,
        coalesce(store_sales.gmv, 0) as gmv,
        coalesce(store_sales.repeat_customers, 0) as repeat_customers,
        coalesce(store_sales.settled_customers, 0) as settled_customers
    from stores
    left join store_additions
        on stores.store_id = store_additions.store_id
    left join store_sales
        on stores.store_id = store_sales.store_id
),

unioned as (
    select * from guide_rows
    union all
    select * from store_rows
),

final as (
    select
        unioned.leaderboard_level,
        unioned.store_id,
        unioned.guide_id,
        period.period_start_date,
        period.period_end_date,
        unioned.customers_added,
        unioned.customers_converted,
        {{ funnel_rate('unioned.customers_converted', 'unioned.customers_added') }} as conversion_rate,
        unioned.customers_ordered,
        unioned.orders,
        cast(unioned.gmv as {{ money_type() }}) as gmv,
        unioned.repeat_customers,
        {{ funnel_rate('unioned.repeat_customers', 'unioned.customers_ordered') }} as repeat_rate,
        unioned.settled_customers,
        {{ funnel_rate('unioned.settled_customers', 'unioned.customers_ordered') }} as settled_rate,
        row_number() over (
            partition by unioned.leaderboard_level
            order by
                unioned.gmv desc,
                unioned.customers_ordered desc,
                unioned.store_id asc,
                unioned.guide_id asc
        ) as gmv_rank
    from unioned
    cross join period
)

select * from final
