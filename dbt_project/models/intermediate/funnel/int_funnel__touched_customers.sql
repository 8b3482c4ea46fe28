{#-
    The customers whose funnel evidence this build computes again (int_funnel__stage_evidence and
    int_funnel__customer_stages, incremental on DuckDB): everyone whose evidence could differ
    from what the last build kept.

    - a touch or an order gained, lost or changed, now or before (int_touchpoints__changes,
      int_orders__changes: an order's sequence number moves with a late or a gone order);
    - an identifier that resolves to another customer, or is new: both customers (a merge, a
      split, a new person);
    - an evidencing app event loaded since the last build (its customer now), and a kept app
      evidence whose event no longer resolves to that customer as it was (delivered again, or its
      identifier excluded);
    - a kept first_seen evidence whose customer's first sighting (dim_customer) moved, and a
      first sighting up to as_of of a customer the kept evidence has nothing acquiring;
    - any evidence time between the last build's as_of_at() and this one's (the calendar moved:
      evidence up to as_of enters, or leaves when as_of goes back).

    Rule changes (the funnel seeds, the project) make the build a full refresh. Reads the kept
    evidence and int_funnel__evidence_basis by name (macro kept_table); without a basis every
    customer is touched. Empty on a full refresh and on Spark, which compute everyone.
-#}
{%- set builds_whole = computes_every_row() -%}
{%- set evidence = none -%}
{%- set basis = none -%}
{%- if not builds_whole -%}
    {%- set evidence = kept_table(
        'int_funnel__stage_evidence',
        ['customer_id', 'evidence_type', 'evidence_at', 'evidence_key', 'evidence_channel'],
    ) -%}
    {%- set basis = kept_table('int_funnel__evidence_basis', ['as_of_at', 'app_events_loaded_through']) -%}
{%- endif %}
-- depends_on: {{ ref('int_touchpoints__changes') }}
-- depends_on: {{ ref('int_orders__changes') }}
-- depends_on: {{ ref('int_identity__customer_ids') }}
-- depends_on: {{ ref('int_touchpoints__unioned') }}
-- depends_on: {{ ref('fct_orders') }}
-- depends_on: {{ ref('int_funnel__app_evidence_events') }}

{% if builds_whole -%}
    select customer_id from {{ ref('dim_customer') }}
    where false

{%- elif evidence is none or basis is none -%}
    -- nothing kept, or nothing says what the kept evidence took in: every customer
    select customer_id from {{ ref('dim_customer') }}
    {%- if evidence is not none %}
        union
        select customer_id from {{ evidence }}
    {%- endif %}

{%- else %}
with

customers as (
    select * from {{ ref('dim_customer') }}
),

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints__unioned') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

app_evidence_events as (
    select * from {{ ref('int_funnel__app_evidence_events') }}
),

kept_evidence as (
    select * from {{ evidence }}
),

basis as (
    select * from {{ basis }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

moved as (
    select
        least(basis.as_of_at, as_of.as_of_at) as moved_from,
        greatest(basis.as_of_at, as_of.as_of_at) as moved_to,
        coalesce(
            basis.app_events_loaded_through, cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }})
        ) as app_events_loaded_through
    from basis
    cross join as_of
),

app_evidence_resolved as (
    select
        customer_ids.customer_id,
        app_evidence_events.event_key,
        app_evidence_events.evidence_type,
        app_evidence_events.event_at,
        app_evidence_events.source_loaded_at
    from app_evidence_events
    inner join customer_ids
        on
            app_evidence_events.id_type = customer_ids.id_type
            and app_evidence_events.id_value = customer_ids.id_value
),

identity_changes as (
    select customer_id from customer_ids
    where customer_id is distinct from previous_customer_id and customer_id is not null
    union
    select previous_customer_id from customer_ids
    where customer_id is distinct from previous_customer_id and previous_customer_id is not null
),

app_events_loaded as (
    select app_evidence_resolved.customer_id
    from app_evidence_resolved
    cross join moved
    where app_evidence_resolved.source_loaded_at > moved.app_events_loaded_through
),

-- kept app evidence whose event is gone, changed or resolves to another customer now
app_evidence_moved as (
    select kept_evidence.customer_id
    from kept_evidence
    left join app_evidence_events
        on
            kept_evidence.evidence_key = app_evidence_events.event_key
            and kept_evidence.evidence_type = app_evidence_events.evidence_type
            and kept_evidence.evidence_at = app_evidence_events.event_at
    left join customer_ids
        on
            app_evidence_events.id_type = customer_ids.id_type
            and app_evidence_events.id_value = customer_ids.id_value
            and kept_evidence.customer_id = customer_ids.customer_id
    where
        kept_evidence.evidence_type in ('app_start', 'app_share')
        and customer_ids.customer_id is null
),

first_seen_moved as (
    select kept_evidence.customer_id
    from kept_evidence
    left join customers
        on kept_evidence.customer_id = customers.customer_id
    where
        kept_evidence.evidence_type = 'first_seen'
        and (
            customers.customer_id is null
            or cast(customers.first_seen_at as {{ dbt.type_timestamp() }})
            is distinct from kept_evidence.evidence_at
            or customers.first_seen_channel is distinct from kept_evidence.evidence_channel
        )
),

-- a first sighting up to as_of of a customer whose kept evidence has nothing that acquired them:
-- a full build gives them a first_seen row (an older record of an identifier that is no touch,
-- or a sighting where there was none)
first_seen_due as (
    select customers.customer_id
    from customers
    cross join as_of
    where
        cast(customers.first_seen_at as {{ dbt.type_timestamp() }}) <= as_of.as_of_at
        and customers.customer_id not in (
            select kept_evidence.customer_id
            from kept_evidence
            where
                kept_evidence.evidence_type in ('first_seen', 'acquisition_touch')
                or kept_evidence.evidence_type like 'order_%'
        )
),

-- evidence that enters or leaves with the move of as_of
calendar_moved as (
    select touchpoints.customer_id
    from touchpoints
    cross join moved
    where touchpoints.touched_at > moved.moved_from and touchpoints.touched_at <= moved.moved_to
    union
    select orders.customer_id
    from orders
    cross join moved
    where
        orders.customer_id is not null
        and orders.ordered_at > moved.moved_from
        and orders.ordered_at <= moved.moved_to
    union
    select app_evidence_resolved.customer_id
    from app_evidence_resolved
    cross join moved
    where
        app_evidence_resolved.event_at > moved.moved_from
        and app_evidence_resolved.event_at <= moved.moved_to
    union
    select customers.customer_id
    from customers
    cross join moved
    where
        customers.first_seen_at > moved.moved_from
        and customers.first_seen_at <= moved.moved_to
),

touched as (
    {{ customers_touched_by(ref('int_touchpoints__changes')) }}
    union
    {{ customers_touched_by_order_changes() }}
    union
    select customer_id from identity_changes
    union
    select customer_id from app_events_loaded
    union
    select customer_id from app_evidence_moved
    union
    select customer_id from first_seen_moved
    union
    select customer_id from first_seen_due
    union
    select customer_id from calendar_moved
)

select customer_id from touched
{%- endif %}
