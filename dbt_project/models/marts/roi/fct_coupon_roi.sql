{#-
    Coupon ROI per coupon stock and day of issue: what the redeemed coupons cost against the
    incremental net revenue of the customers who redeemed them. One row per stock_id and
    issue_date; campaign_id is the siyu campaign of the stock (seed campaign_signals,
    coupon_stock_id: the recall coupons are CMP12), null for a stock no campaign claims.
    - coupon_cost: face value of the coupons used by as_of_at() (revenue is what customers paid,
      already net of the coupon, so the coupon is a cost beside it, not inside it).
    - Windows of siyu_coupon_roi_window_days calendar days: "before" ends the day before issue,
      "after" starts on the day of issue. incremental_revenue = redeeming customers' net revenue
      after - before; null until the after window has elapsed.
    - Customers who got a coupon of the same stock that day and did not use it are the comparison
      group: incremental_revenue_vs_control also subtracts their average change per customer.
    - coupon_roi = (incremental_revenue - coupon_cost) / coupon_cost.
-#}
{%- set window_days = var('siyu_coupon_roi_window_days') | int -%}

with

coupons as (
    select * from {{ ref('stg_wechatpay__coupons') }}
),

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

campaign_signals as (
    select * from {{ ref('campaign_signals') }}
),

campaigns as (
    select * from {{ ref('campaigns') }}
),

revenue_events as (
    select * from {{ ref('int_revenue_events__unioned') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

issued as (
    select
        coupons.coupon_id,
        coupons.stock_id,
        cast(coupons.issued_at as date) as issue_date,
        coupons.coupon_amount,
        coalesce(coupons.is_used and coupons.used_at <= as_of.as_of_at, false) as is_redeemed,
        customer_ids.customer_id
    from coupons
    cross join as_of
    left join customer_ids
        on
            customer_ids.id_type = 'mp_openid'
            and coupons.mp_openid = customer_ids.id_value
    where coupons.issued_at <= as_of.as_of_at
),

coupon_totals as (
    select
        stock_id,
        issue_date,
        count(*) as coupons_issued,
        sum(case when is_redeemed then 1 else 0 end) as coupons_redeemed,
        sum(coupon_amount) as face_value_issued,
        sum(case when is_redeemed then coupon_amount else 0 end) as coupon_cost,
        count(distinct customer_id) as customers_issued
    from issued
    group by stock_id, issue_date
),

customer_coupons as (
    select
        stock_id,
        issue_date,
        customer_id,
        max(case when is_redeemed then 1 else 0 end) = 1 as is_redeeming
    from issued
    where customer_id is not null
    group by stock_id, issue_date, customer_id
),

customer_windows as (
    select
        customer_coupons.stock_id,
        customer_coupons.issue_date,
        customer_coupons.customer_id,
        customer_coupons.is_redeeming,
        sum(
            case
                when
                    {{ days_between('revenue_events.event_at', 'customer_coupons.issue_date') }}
                    between 1 and {{ window_days }}
                    then revenue_events.amount
                else 0
            end
        ) as revenue_before,
        sum(
            case
                when
                    {{ days_between('customer_coupons.issue_date', 'revenue_events.event_at') }}
                    between 0 and {{ window_days - 1 }}
                    then revenue_events.amount
                else 0
            end
        ) as revenue_after
    from customer_coupons
    cross join as_of
    left join revenue_events
        on
            customer_coupons.customer_id = revenue_events.customer_id
            and as_of.as_of_at >= revenue_events.event_at
    group by
        customer_coupons.stock_id,
        customer_coupons.issue_date,
        customer_coupons.customer_id,
        customer_coupons.is_redeeming
),

customer_totals as (
    select
        stock_id,
        issue_date,
        sum(case when is_redeeming then 1 else 0 end) as redeeming_customers,
        sum(case when is_redeeming then coalesce(revenue_before, 0) else 0 end) as redeemer_revenue_before,
        sum(case when is_redeeming then coalesce(revenue_after, 0) else 0 end) as redeemer_revenue_after,
        sum(case when is_redeeming then 0 else 1 end) as non_redeeming_customers,
        sum(case when is_redeeming then 0 else coalesce(revenue_before, 0) end) as non_redeemer_revenue_before,
        sum(case when is_redeeming then 0 else coalesce(revenue_after, 0) end) as non_redeemer_revenue_after
    from customer_windows
    group by stock_id, issue_date
),

stock_campaigns as (
    select
        signal_value as stock_id,
        campaign_id
    from campaign_signals
    where signal_type = 'coupon_stock_id'
),

measured as (
    select
        coupon_totals.stock_id,
        coupon_totals.issue_date,
        stock_campaigns.campaign_id,
        {{ days_between('coupon_totals.issue_date', 'as_of.as_of_at') }} >= {{ window_days }} as is_window_elapsed,
        coupon_totals.coupons_issued,
        coupon_totals.customers_issued,
        coupon_totals.coupons_redeemed,
        coalesce(customer_totals.redeeming_customers, 0) as redeeming_customers,
        coalesce(customer_totals.non_redeeming_customers, 0) as non_redeeming_customers,
        coupon_totals.face_value_issued,
        coupon_totals.coupon_cost,
        coalesce(customer_totals.redeemer_revenue_before, 0) as redeemer_revenue_before,
        coalesce(customer_totals.redeemer_revenue_after, 0) as redeemer_revenue_after,
        coalesce(customer_totals.non_redeemer_revenue_before, 0) as non_redeemer_revenue_before,
        coalesce(customer_totals.non_redeemer_revenue_after, 0) as non_redeemer_revenue_after
    from coupon_totals
    cross join as_of
    left join customer_totals
        on
            coupon_totals.stock_id = customer_totals.stock_id
            and coupon_totals.issue_date = customer_totals.issue_date
    left join stock_campaigns
        on coupon_totals.stock_id = stock_campaigns.stock_id
),

with_increments as (
    select
        *,
        case
            when is_window_elapsed then redeemer_revenue_after - redeemer_revenue_before
        end as incremental_revenue,
        case
            when is_window_elapsed and non_redeeming_customers > 0
                then
                    cast(non_redeemer_revenue_after - non_redeemer_revenue_before as double)
                    / non_redeeming_customers
        end as control_change_per_customer
    from measured
),

final as (
    select
        {{ surrogate_key(['with_increments.stock_id', 'with_increments.issue_date']) }} as coupon_roi_key,
        with_increments.stock_id,
        with_increments.issue_date,
        with_increments.campaign_id,
        campaigns.campaign_name,
        {{ window_days }} as window_days,
        with_increments.is_window_elapsed,
        with_increments.coupons_issued,
        with_increments.customers_issued,
        with_increments.coupons_redeemed,
        with_increments.redeeming_customers,
        with_increments.non_redeeming_customers,
        {{ roi_ratio('with_increments.coupons_redeemed', 'with_increments.coupons_issued') }} as redemption_rate,
        cast(with_increments.face_value_issued as {{ money_type() }}) as face_value_issued,
        cast(with_increments.coupon_cost as {{ money_type() }}) as coupon_cost,
        cast(with_increments.redeemer_revenue_before as {{ money_type() }}) as redeemer_revenue_before,
        cast(
            case when with_increments.is_window_elapsed then with_increments.redeemer_revenue_after end
            as {{ money_type() }}
        ) as redeemer_revenue_after,
        cast(with_increments.incremental_revenue as {{ money_type() }}) as incremental_revenue,
        cast(
            case when with_increments.is_window_elapsed then with_increments.non_redeemer_revenue_after end
            as {{ money_type() }}
        ) as non_redeemer_revenue_after,
        cast(with_increments.non_redeemer_revenue_before as {{ money_type() }}) as non_redeemer_revenue_before,
        cast(
            with_increments.incremental_revenue
            - with_increments.redeeming_customers * with_increments.control_change_per_customer
            as {{ money_type() }}
        ) as incremental_revenue_vs_control,
        {{ roi_return_on_spend('with_increments.incremental_revenue', 'with_increments.coupon_cost') }}
            as coupon_roi,
        {{ roi_return_on_spend(
            'with_increments.incremental_revenue'
            ~ ' - with_increments.redeeming_customers * with_increments.control_change_per_customer',
            'with_increments.coupon_cost'
        ) }} as coupon_roi_vs_control
    from with_increments
    left join campaigns
        on with_increments.campaign_id = campaigns.campaign_id
)

select * from final
