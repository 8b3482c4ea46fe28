{#-
    Identifiers that never link people:
    - junk: a placeholder value (identity_junk_values) or a test phone number (staging phone_kind);
    - hubs: a value seen with more distinct identifiers of one other type than its hub limit
      (identity_hub_limits for that pair of types, else identity_id_types.hub_limit): a store's
      shared phone, a guide's own mobile typed for many contacts.
    Hubs are counted on enabled edges between non-junk identifiers.
-#}
with

observations as (
    select * from {{ ref('int_identity__observations') }}
),

edges as (
    select * from {{ ref('int_identity__edges') }}
),

id_types as (
    select * from {{ ref('identity_id_types') }}
),

junk_values as (
    select * from {{ ref('identity_junk_values') }}
),

hub_limits as (
    select * from {{ ref('identity_hub_limits') }}
),

junk_by_rule as (
    select
        id_type,
        id_value,
        min(junk_reason) as reason
    from observations
    where junk_reason is not null
    group by id_type, id_value
),

junk_by_list as (
    select distinct
        observations.id_type,
        observations.id_value,
        junk_values.reason
    from observations
    inner join junk_values
        on
            observations.id_type = junk_values.id_type
            and observations.id_value = junk_values.id_value
),

junk as (
    select
        id_type,
        id_value,
        'junk' as exclusion_type,
        min(reason) as reason,
        cast(null as bigint) as linked_identifiers,
        cast(null as {{ dbt.type_string() }}) as linked_id_type
    from (
        select * from junk_by_rule
        union all
        select * from junk_by_list
    ) as junk_values_found
    group by id_type, id_value
),

enabled_non_junk_edges as (
    select edges.*
    from edges
    left join junk as left_junk
        on
            edges.left_id_type = left_junk.id_type
            and edges.left_id_value = left_junk.id_value
    left join junk as right_junk
        on
            edges.right_id_type = right_junk.id_type
            and edges.right_id_value = right_junk.id_value
    where
        edges.is_enabled
        and left_junk.id_value is null
        and right_junk.id_value is null
),

neighbours as (
    select
        left_id_type as id_type,
        left_id_value as id_value,
        right_id_type as neighbour_type,
        right_id_value as neighbour_value
    from enabled_non_junk_edges
    union
    select
        right_id_type as id_type,
        right_id_value as id_value,
        left_id_type as neighbour_type,
        left_id_value as neighbour_value
    from enabled_non_junk_edges
),

degree_by_type as (
    select
        id_type,
        id_value,
        neighbour_type,
        count(distinct neighbour_value) as linked_identifiers
    from neighbours
    group by id_type, id_value, neighbour_type
),

hubs as (
    select
        degree_by_type.id_type,
        degree_by_type.id_value,
        'hub' as exclusion_type,
        max(
            'shared identifier: seen with more than '
            || coalesce(hub_limits.hub_limit, id_types.hub_limit) || ' distinct '
            || degree_by_type.neighbour_type
        ) as reason,
        max(degree_by_type.linked_identifiers) as linked_identifiers,
        max(degree_by_type.neighbour_type) as linked_id_type
    from degree_by_type
    inner join id_types
        on degree_by_type.id_type = id_types.id_type
    left join hub_limits
        on
            degree_by_type.id_type = hub_limits.id_type
            and degree_by_type.neighbour_type = hub_limits.linked_id_type
    where degree_by_type.linked_identifiers > coalesce(hub_limits.hub_limit, id_types.hub_limit)
    group by degree_by_type.id_type, degree_by_type.id_value
),

excluded as (
    select * from junk
    union all
    select * from hubs
)

select * from excluded
