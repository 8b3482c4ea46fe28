{#-
    Identifiers excluded from stitching, with the reason and how many distinct customers they
    would have joined (the customers of the identifiers they were seen with).
-#}
with

excluded as (
    select * from {{ ref('int_identity__excluded_identifiers') }}
),

edges as (
    select * from {{ ref('int_identity__edges') }}
),

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

observations as (
    select * from {{ ref('int_identity__observations') }}
),

-- every step starts from the excluded identifiers (dozens), not from all identifiers
neighbours as (
    select
        excluded.id_type,
        excluded.id_value,
        edges.right_id_type as neighbour_type,
        edges.right_id_value as neighbour_value
    from excluded
    inner join edges
        on
            excluded.id_type = edges.left_id_type
            and excluded.id_value = edges.left_id_value
    union
    select
        excluded.id_type,
        excluded.id_value,
        edges.left_id_type as neighbour_type,
        edges.left_id_value as neighbour_value
    from excluded
    inner join edges
        on
            excluded.id_type = edges.right_id_type
            and excluded.id_value = edges.right_id_value
),

would_join as (
    select
        neighbours.id_type,
        neighbours.id_value,
        count(distinct customer_ids.customer_id) as would_join_customers
    from neighbours
    inner join customer_ids
        on
            neighbours.neighbour_type = customer_ids.id_type
            and neighbours.neighbour_value = customer_ids.id_value
    group by neighbours.id_type, neighbours.id_value
),

seen as (
    select
        excluded.id_type,
        excluded.id_value,
        min(observations.first_seen_at) as first_seen_at,
        max(observations.last_seen_at) as last_seen_at,
        sum(observations.records) as observed_records,
        {{ distinct_values_joined('observations.source') }} as sources
    from excluded
    inner join observations
        on
            excluded.id_type = observations.id_type
            and excluded.id_value = observations.id_value
    group by excluded.id_type, excluded.id_value
),

final as (
    select
        excluded.id_type,
        excluded.id_value,
        excluded.exclusion_type,
        excluded.reason,
        excluded.linked_id_type,
        excluded.linked_identifiers,
        coalesce(would_join.would_join_customers, 0) as would_join_customers,
        seen.sources,
        seen.observed_records,
        seen.first_seen_at,
        seen.last_seen_at
    from excluded
    left join would_join
        on
            excluded.id_type = would_join.id_type
            and excluded.id_value = would_join.id_value
    left join seen
        on
            excluded.id_type = seen.id_type
            and excluded.id_value = seen.id_value
)

select * from final
