{#-
    The three-order strategy (三单策略) and the 7-day recall, by month of the first order, the
    store and guide credited with it, whether a guide followed up 1v1 and whether a recall coupon
    or reminder was sent (definitions: int_funnel__first_order_followup). Rates count only first
    orders old enough for their window (mature); settled customers are WeCom contacts or OA
    followers (沉淀到私域) as of as_of_at().
-#}
with

customers as (
    select * from {{ ref('fct_customer_funnel') }}
),

first_orders as (
    select
        cast({{ dbt.date_trunc('month', 'first_order_at') }} as date) as first_order_month,
        coalesce(first_order_store_id, '(none)') as store_id,
        coalesce(first_order_guide_id, '(none)') as guide_id,
        is_guide_followed_up,
        is_recall_sent,
        has_second_order_in_window,
        has_third_order_in_window,
        is_mature_for_second_order,
        is_mature_for_third_order,
        is_settled
    from customers
    where first_order_at is not null
),

aggregated as (
    select
        first_order_month,
        store_id,
        guide_id,
        is_guide_followed_up,
        is_recall_sent,
        count(*) as first_order_customers,
        count(case when is_mature_for_second_order then 1 end) as customers_mature_for_second,
        count(case when is_mature_for_second_order and has_second_order_in_window then 1 end)
            as second_order_customers,
        count(case when is_mature_for_third_order then 1 end) as customers_mature_for_third,
        count(case when is_mature_for_third_order and has_third_order_in_window then 1 end)
            as third_order_customers,
        count(case when is_settled then 1 end) as settled_customers
    from first_orders
    group by first_order_month, store_id, guide_id, is_guide_followed_up, is_recall_sent
),

final as (
    select
        first_order_month,
        store_id,
        guide_id,
        is_guide_followed_up,
        is_recall_sent,
        first_order_customers,
        customers_mature_for_second,
        second_order_customers,
        {{ funnel_rate('second_order_customers', 'customers_mature_for_second') }} as second_order_rate,
        customers_mature_for_third,
        third_order_customers,
        {{ funnel_rate('third_order_customers', 'customers_mature_for_third') }} as third_order_rate,
        settled_customers,
        {{ funnel_rate('settled_customers', 'first_order_customers') }} as settled_rate
    from aggregated
)

select * from final
