{#-
    Tag history: one row per customer, tag and period in which they carried that value, from the
    snapshot customer_tags_snapshot. Periods are in data time: valid_from is the as_of_at() of the
    build that first saw the value, valid_to that of the build that saw it change or go (null:
    still carried). Who had tag X on date D:
        where tag_key = 'X' and valid_from <= D and (valid_to is null or valid_to > D)
-#}
with

snapshot as (
    select * from {{ ref('customer_tags_snapshot') }}
),

carried as (
    select
        dbt_scd_id as tag_history_id,
        customer_id,
        tag_key,
        tag_value,
        tag_source,
        dbt_valid_from as valid_from,
        dbt_valid_to as valid_to,
        dbt_valid_to is null as is_current
    from snapshot
    where is_present and (dbt_valid_to is null or dbt_valid_to > dbt_valid_from)
)

select * from carried
