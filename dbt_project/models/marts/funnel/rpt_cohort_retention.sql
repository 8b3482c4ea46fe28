{#-
    Monthly first-order cohorts by months since the first order: how many of the cohort's customers
    placed a counted order in that month (month 0 is the first order's month, so 100%). One row per
    cohort and month up to the month of as_of_at() (at most var siyu_funnel_retention_max_months).
-#}
with

customers as (
    select * from {{ ref('fct_customer_funnel') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

month_numbers as (
    {{ dbt.generate_series(var('siyu_funnel_retention_max_months') + 1) }}
),

as_of as (
    select
        {{ as_of_at() }} as as_of_at,
        cast({{ dbt.date_trunc('month', as_of_at()) }} as date) as as_of_month
),

cohorts as (
    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'first_order_at') }} as date) as cohort_month
    from customers
    where first_order_at is not null
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as customers
    from cohorts
    group by cohort_month
),

cohort_months as (
    select
        cohort_sizes.cohort_month,
        cohort_sizes.customers,
        month_numbers.generated_number - 1 as months_since_first_order,
        cast(
            {{ dbt.dateadd('month', 'month_numbers.generated_number - 1', 'cohort_sizes.cohort_month') }}
            as date
        ) as activity_month,
        as_of.as_of_at
    from cohort_sizes
    cross join month_numbers
    cross join as_of
    where
        {{ dbt.dateadd('month', 'month_numbers.generated_number - 1', 'cohort_sizes.cohort_month') }}
        <= as_of.as_of_month
),

order_months as (
    select distinct
        cohorts.customer_id,
        cohorts.cohort_month,
        {{ dbt.datediff(
            'cohorts.cohort_month', dbt.date_trunc('month', 'orders.ordered_at'), 'month'
        ) }} as months_since_first_order
    from orders
    inner join cohorts
        on orders.customer_id = cohorts.customer_id
    cross join as_of
    where orders.is_counted_order and orders.ordered_at <= as_of.as_of_at
),

retained as (
    select
        cohort_month,
        months_since_first_order,
        count(*) as retained_customers
    from order_months
    group by cohort_month, months_since_first_order
),

final as (
    select
        cohort_months.cohort_month,
        cohort_months.months_since_first_order,
        cohort_months.activity_month,
        cohort_months.customers,
        coalesce(retained.retained_customers, 0) as retained_customers,
        {{ funnel_rate('coalesce(retained.retained_customers, 0)', 'cohort_months.customers') }}
            as retention_rate,
        {{ dbt.dateadd('month', 1, 'cohort_months.activity_month') }} <= cohort_months.as_of_at
            as is_complete_month
    from cohort_months
    left join retained
        on
            cohort_months.cohort_month = retained.cohort_month
            and cohort_months.months_since_first_order = retained.months_since_first_order
)

select * from final
