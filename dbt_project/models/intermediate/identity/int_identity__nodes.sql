{#- Identifiers that take part in stitching (not excluded), each with a dense node_index. -#}
with

observations as (
    select * from {{ ref('int_identity__observations') }}
),

excluded as (
    select * from {{ ref('int_identity__excluded_identifiers') }}
),

id_types as (
    select * from {{ ref('identity_id_types') }}
),

identifiers as (
    select
        id_type,
        id_value,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        sum(records) as records
    from observations
    group by id_type, id_value
),

first_source as (
    select
        id_type,
        id_value,
        source
    from (
        select
            id_type,
            id_value,
            source,
            row_number() over (
                partition by id_type, id_value order by first_seen_at asc nulls last, source asc
            ) as source_rank
        from observations
    ) as ranked
    where source_rank = 1
),

stitchable as (
    select
        identifiers.id_type,
        identifiers.id_value,
        identifiers.id_type || ':' || identifiers.id_value as node_key,
        first_source.source as first_source,
        id_types.priority as id_type_priority,
        identifiers.first_seen_at,
        identifiers.last_seen_at,
        identifiers.records
    from identifiers
    inner join first_source
        on
            identifiers.id_type = first_source.id_type
            and identifiers.id_value = first_source.id_value
    inner join id_types
        on identifiers.id_type = id_types.id_type
    left join excluded
        on
            identifiers.id_type = excluded.id_type
            and identifiers.id_value = excluded.id_value
    where excluded.id_value is null
),

indexed as (
    select
        row_number() over (order by node_key) - 1 as node_index,
        *
    from stitchable
)

select * from indexed
