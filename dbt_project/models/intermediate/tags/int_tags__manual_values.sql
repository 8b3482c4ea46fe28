{#-
    Tags set by hand in seed manual_customer_tags (tag_source manual), resolved to customers: one
    row per customer and tag, the latest assignment winning.
-#}
with

manual_tags as (
    select * from {{ ref('manual_customer_tags') }}
),

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

as_of as (
    select {{ as_of_at() }} as as_of_at
),

resolved as (
    select
        customer_ids.customer_id,
        manual_tags.tag_key,
        manual_tags.tag_value,
        manual_tags.assigned_by,
        manual_tags.assigned_at,
        row_number() over (
            partition by customer_ids.customer_id, manual_tags.tag_key
            order by manual_tags.assigned_at desc, manual_tags.tag_value asc
        ) as assignment_rank
    from manual_tags
    inner join customer_ids
        on
            manual_tags.id_type = customer_ids.id_type
            and manual_tags.id_value = customer_ids.id_value
),

latest as (
    select
        resolved.customer_id,
        resolved.tag_key,
        resolved.tag_value,
        resolved.assigned_by,
        resolved.assigned_at,
        as_of.as_of_at as computed_at
    from resolved
    cross join as_of
    where resolved.assignment_rank = 1
)

select * from latest
