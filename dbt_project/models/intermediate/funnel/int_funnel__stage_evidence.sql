{#-
    Everything that can move a customer along the funnel, as of as_of_at(): one row per customer
    and evidence type, its first occurrence. Which evidence reaches which stage is not decided
    here but in seed funnel_stage_evidence (docs: funnel_stages). Evidence types:
    - acquisition_touch: the first touch that can acquire a customer (as in dim_customer);
    - every touch_type of int_touchpoints__unioned (oa_followed, wecom_contact_added, ...);
    - app_start (an AppStart event), app_share (a Share event carrying a share_source);
    - order_1, order_2, ...: the customer's n-th counted order (fct_orders.customer_order_number);
    - first_seen: dim_customer.first_seen_at, only for customers with no acquisition touch and no
      counted order (so that every known customer is acquired).

    Incremental on DuckDB: the rows of the customers int_funnel__touched_customers lists are
    deleted and computed again from those customers' touches, orders, app events and first
    sighting; the other customers' evidence cannot have changed. On Spark and on a full refresh,
    everyone's.
-#}
{{ config(pre_hook="{{ remove_touched_customers(ref('int_funnel__touched_customers')) }}") }}
-- depends_on: {{ ref('int_funnel__touched_customers') }}
with

customers as (
    select * from {{ ref('dim_customer') }}
    {{ only_touched_customers(ref('int_funnel__touched_customers')) }}
),

orders as (
    select * from {{ ref('fct_orders') }}
    {{ only_touched_customers(ref('int_funnel__touched_customers')) }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints__unioned') }}
    {{ only_touched_customers(ref('int_funnel__touched_customers')) }}
),

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
    {{ only_touched_customers(ref('int_funnel__touched_customers')) }}
),

app_evidence_events as (
    select * from {{ ref('int_funnel__app_evidence_events') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

touches_until_as_of as (
    select touchpoints.*
    from touchpoints
    cross join as_of
    where touchpoints.touched_at <= as_of.as_of_at
),

ranked_touches as (
    select
        customer_id,
        touch_type,
        channel,
        touched_at,
        touchpoint_key,
        is_acquisition_touch,
        row_number() over (
            partition by customer_id, touch_type order by touched_at, touchpoint_key
        ) as type_rank,
        row_number() over (
            partition by customer_id, is_acquisition_touch order by touched_at, touchpoint_key
        ) as acquisition_rank
    from touches_until_as_of
),

touch_evidence as (
    select
        customer_id,
        touch_type as evidence_type,
        touched_at as evidence_at,
        touchpoint_key as evidence_key,
        channel as evidence_channel
    from ranked_touches
    where type_rank = 1
),

acquisition_evidence as (
    select
        customer_id,
        'acquisition_touch' as evidence_type,
        touched_at as evidence_at,
        touchpoint_key as evidence_key,
        channel as evidence_channel
    from ranked_touches
    where is_acquisition_touch and acquisition_rank = 1
),

order_evidence as (
    select
        orders.customer_id,
        'order_' || cast(orders.customer_order_number as {{ dbt.type_string() }}) as evidence_type,
        orders.ordered_at as evidence_at,
        orders.order_key as evidence_key,
        orders.channel as evidence_channel
    from orders
    cross join as_of
    where
        orders.is_counted_order
        and orders.customer_id is not null
        and orders.ordered_at <= as_of.as_of_at
),

app_events_resolved as (
    select
        customer_ids.customer_id,
        app_evidence_events.evidence_type,
        app_evidence_events.event_at,
        app_evidence_events.event_key
    from app_evidence_events
    inner join customer_ids
        on
            app_evidence_events.id_type = customer_ids.id_type
            and app_evidence_events.id_value = customer_ids.id_value
    cross join as_of
    where app_evidence_events.event_at <= as_of.as_of_at
),

ranked_app_events as (
    select
        customer_id,
        evidence_type,
        event_at,
        event_key,
        row_number() over (
            partition by customer_id, evidence_type order by event_at, event_key
        ) as event_rank
    from app_events_resolved
),

app_evidence as (
    select
        customer_id,
        evidence_type,
        event_at as evidence_at,
        event_key as evidence_key,
        'app' as evidence_channel
    from ranked_app_events
    where event_rank = 1
),

first_seen_evidence as (
    select
        customers.customer_id,
        'first_seen' as evidence_type,
        cast(customers.first_seen_at as timestamp) as evidence_at,
        customers.customer_id as evidence_key,
        customers.first_seen_channel as evidence_channel
    from customers
    cross join as_of
    where
        customers.first_seen_at <= as_of.as_of_at
        and customers.customer_id not in (
            select acquisition_evidence.customer_id from acquisition_evidence
            union all
            select order_evidence.customer_id from order_evidence
        )
),

unioned as (
    select * from touch_evidence
    union all
    select * from acquisition_evidence
    union all
    select * from order_evidence
    union all
    select * from app_evidence
    union all
    select * from first_seen_evidence
)

select * from unioned
