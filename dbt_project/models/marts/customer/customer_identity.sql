{#- One row per channel identifier of a resolved customer (the OneID map). -#}
with

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

final as (
    select
        customer_id,
        id_type,
        id_value,
        first_source as source,
        first_seen_at,
        last_seen_at,
        records as observed_records,
        id_type_priority
    from customer_ids
)

select * from final
