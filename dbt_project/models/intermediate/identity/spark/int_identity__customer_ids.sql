{#-
    The SQL twin of the Python model ../int_identity__customer_ids.py, for engines that do not run
    dbt Python models (Spark through dbt-spark's session and thrift methods); dbt_project.yml
    enables exactly one of the two per target. Same output, same ids:
    * customers are the exact connected components of the identity graph, computed by
      connected_component_labels (distributed large-star/small-star rounds until the edge set
      stops changing, capped by var siyu_identity_max_rounds);
    * ids carry over from this model's previous version, copied aside before the table is
      replaced, by the rules of siyu/identity/stable_ids.py: a merge keeps the id of the
      oldest previous customer (earliest customer_first_seen_at, then smallest id), a split leaves
      the id with the part holding most of its identifiers (then the earliest identifier, then the
      smallest component), a new customer's id is 'C' + the first 16 hex digits (upper case) of
      the SHA-256 of its anchor identifier's node_key (earliest first_seen_at, then smallest key),
      of node_key || '#1', '#2', ... while that id is held by a previous customer. (Python also
      skips ids it has just given to another new customer: that needs two anchors whose hashes
      share 64 bits; here both would get the id and customer_identifiers would expose it.)
    Components are identified by their smallest node_index, which orders them as the Python model's
    component numbers do, so every tie is broken the same way on both engines.
-#}
{%- set components = api.Relation.create(
    database=this.database, schema=this.schema, identifier=this.identifier ~ '__components', type='table') -%}
{%- set previous_version = api.Relation.create(
    database=this.database, schema=this.schema, identifier=this.identifier ~ '__previous', type='table') -%}
{%- if execute -%}
    {%- do siyu.connected_component_labels(
        ref('int_identity__nodes'), ref('int_identity__stitchable_edges'), components) -%}
    {%- set existing = adapter.get_relation(this.database, this.schema, this.identifier) -%}
    {%- if existing is not none -%}
        {%- do siyu.replace_table(
            previous_version, 'select node_key, customer_id, customer_first_seen_at from ' ~ existing) -%}
    {%- else -%}
        {%- do siyu.replace_table(previous_version,
            'select cast(null as ' ~ dbt.type_string() ~ ') as node_key, cast(null as '
            ~ dbt.type_string() ~ ') as customer_id, cast(null as timestamp) as customer_first_seen_at'
            ~ ' where 1 = 0') -%}
    {%- endif -%}
{%- endif -%}
-- depends_on: {{ ref('int_identity__stitchable_edges') }}

with

nodes as (
    select * from {{ ref('int_identity__nodes') }}
),

components as (
    select * from {{ components }}
),

previous_version as (
    select * from {{ previous_version }}
),

labelled as (
    select
        nodes.*,
        components.component,
        previous_version.customer_id as previous_customer_id
    from nodes
    inner join components
        on nodes.node_index = components.node_index
    left join previous_version
        on nodes.node_key = previous_version.node_key
),

carried_parts as (
    select
        previous_customer_id,
        component,
        count(*) as identifiers,
        min(first_seen_at) as earliest_seen_at
    from labelled
    where previous_customer_id is not null
    group by previous_customer_id, component
),

-- each previous id stays with the part of its identifiers that holds most of them
owned_ids as (
    select
        previous_customer_id,
        component
    from (
        select
            previous_customer_id,
            component,
            row_number() over (
                partition by previous_customer_id
                order by identifiers desc, earliest_seen_at asc nulls last, component asc
            ) as part_rank
        from carried_parts
    ) as ranked_parts
    where part_rank = 1
),

previous_ages as (
    select
        customer_id as previous_customer_id,
        min(customer_first_seen_at) as previous_first_seen_at
    from previous_version
    group by customer_id
),

-- a component owning several previous ids (a merge) keeps the oldest
surviving_ids as (
    select
        component,
        previous_customer_id as customer_id
    from (
        select
            owned_ids.component,
            owned_ids.previous_customer_id,
            row_number() over (
                partition by owned_ids.component
                order by previous_ages.previous_first_seen_at asc nulls last, owned_ids.previous_customer_id asc
            ) as age_rank
        from owned_ids
        inner join previous_ages
            on owned_ids.previous_customer_id = previous_ages.previous_customer_id
    ) as ranked_owners
    where age_rank = 1
),

anchors as (
    select
        component,
        node_key as anchor_key
    from (
        select
            component,
            node_key,
            row_number() over (
                partition by component order by first_seen_at asc nulls last, node_key asc
            ) as anchor_rank
        from labelled
    ) as ranked_nodes
    where anchor_rank = 1
),

-- a new customer's id: from its anchor, salted with '#<attempt>' while the id is already taken by a
-- previous customer (a split can leave the anchor's own id with the other part)
new_id_candidates as (
    select
        anchors.component,
        attempts.attempt,
        'C' || upper(substr({{ siyu.sha256_hex(
            "case when attempts.attempt = 0 then anchors.anchor_key "
            ~ "else anchors.anchor_key || '#' || cast(attempts.attempt as " ~ dbt.type_string() ~ ") end"
        ) }}, 1, 16)) as customer_id
    from anchors
    cross join (
        {%- for attempt in range(var('siyu_identity_id_attempts') | int) %}
        select {{ attempt }} as attempt{{ ' union all' if not loop.last }}
        {%- endfor %}
    ) as attempts
    left join surviving_ids
        on anchors.component = surviving_ids.component
    where surviving_ids.component is null
),

new_ids as (
    select
        component,
        customer_id
    from (
        select
            new_id_candidates.component,
            new_id_candidates.customer_id,
            row_number() over (
                partition by new_id_candidates.component order by new_id_candidates.attempt
            ) as attempt_rank
        from new_id_candidates
        left join (select distinct customer_id from previous_version) as taken
            on new_id_candidates.customer_id = taken.customer_id
        where taken.customer_id is null
    ) as free_candidates
    where attempt_rank = 1
),

component_ids as (
    select * from surviving_ids
    union all
    select * from new_ids
),

assigned as (
    select
        labelled.id_type,
        labelled.id_value,
        labelled.node_key,
        component_ids.customer_id,
        labelled.previous_customer_id,
        labelled.first_source,
        labelled.id_type_priority,
        labelled.first_seen_at,
        labelled.last_seen_at,
        labelled.records,
        min(labelled.first_seen_at) over (partition by labelled.component) as customer_first_seen_at,
        count(*) over (partition by labelled.component) as customer_identifiers
    from labelled
    -- left: a customer without an id (every attempt taken) fails the not_null_columns test, not vanishes
    left join component_ids
        on labelled.component = component_ids.component
)

select * from assigned
