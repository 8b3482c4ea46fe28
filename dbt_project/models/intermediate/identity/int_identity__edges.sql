{#-
    Pairs of identifiers seen together in one record of a source, for the pairs that
    identity_link_rules names for that source. Both enabled and disabled rules are kept so the
    evidence stays visible; only enabled pairs between stitchable identifiers link customers.
-#}
with

observations as (
    select * from {{ ref('int_identity__observations') }}
),

link_rules as (
    select * from {{ ref('identity_link_rules') }}
),

paired as (
    select distinct
        left_side.source,
        left_side.record_key as source_record_key,
        left_side.id_type as left_id_type,
        left_side.id_value as left_id_value,
        right_side.id_type as right_id_type,
        right_side.id_value as right_id_value,
        link_rules.is_enabled,
        left_side.first_seen_at,
        left_side.last_seen_at,
        left_side.records
    from observations as left_side
    inner join observations as right_side
        on
            left_side.source = right_side.source
            and left_side.record_key = right_side.record_key
    inner join link_rules
        on
            left_side.source = link_rules.source
            and left_side.id_type = link_rules.left_id_type
            and right_side.id_type = link_rules.right_id_type
),

-- one row per identifier pair and source: the earliest record as the example of its evidence
summarised as (
    select
        source,
        left_id_type,
        left_id_value,
        right_id_type,
        right_id_value,
        bool_or(is_enabled) as is_enabled,
        min(source_record_key) as source_record_key,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        sum(records) as records
    from paired
    group by source, left_id_type, left_id_value, right_id_type, right_id_value
)

select * from summarised
