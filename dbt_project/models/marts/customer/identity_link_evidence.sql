{#-
    Why identifiers were joined: one row per pair of identifiers seen together in a source, with
    the example record (source_record_key), when it was seen and whether it linked. A pair does
    not link when its rule is disabled or one side is excluded (identity_excluded_ids).
-#}
with

edges as (
    select * from {{ ref('int_identity__edges') }}
),

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

excluded as (
    select * from {{ ref('int_identity__excluded_identifiers') }}
),

with_outcome as (
    select
        {{ surrogate_key(['edges.source', 'edges.left_id_type', 'edges.left_id_value',
                          'edges.right_id_type', 'edges.right_id_value']) }} as evidence_id,
        coalesce(left_customer.customer_id, right_customer.customer_id) as customer_id,
        edges.left_id_type,
        edges.left_id_value,
        edges.right_id_type,
        edges.right_id_value,
        edges.source,
        edges.source_record_key,
        edges.first_seen_at as seen_at,
        edges.last_seen_at,
        edges.records as observed_records,
        case
            when not edges.is_enabled then 'rule_disabled'
            when left_excluded.id_value is not null or right_excluded.id_value is not null
                then 'identifier_excluded'
            else 'linked'
        end as link_status
    from edges
    left join customer_ids as left_customer
        on
            edges.left_id_type = left_customer.id_type
            and edges.left_id_value = left_customer.id_value
    left join customer_ids as right_customer
        on
            edges.right_id_type = right_customer.id_type
            and edges.right_id_value = right_customer.id_value
    left join excluded as left_excluded
        on
            edges.left_id_type = left_excluded.id_type
            and edges.left_id_value = left_excluded.id_value
    left join excluded as right_excluded
        on
            edges.right_id_type = right_excluded.id_type
            and edges.right_id_value = right_excluded.id_value
)

select * from with_outcome
