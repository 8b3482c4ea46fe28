{#-
    Tag history: one row per customer, tag and period in which they carried that value, from the
    log of changes int_customer_tags__recorded. Periods are in data time: valid_from is the
    as_of_at() of the build that first saw the value, valid_to that of the build that saw it change
    or go (null: still carried). Who had tag X on date D:
        where tag_key = 'X' and valid_from <= D and (valid_to is null or valid_to > D)
-#}
with

recorded as (
    select * from {{ ref('int_customer_tags__recorded') }}
),

periods as (
    select
        tag_change_id,
        customer_id,
        tag_key,
        tag_value,
        tag_source,
        is_present,
        recorded_at as valid_from,
        lead(recorded_at) over (partition by customer_tag_id order by recorded_at) as valid_to
    from recorded
),

carried as (
    select
        tag_change_id as tag_history_id,
        customer_id,
        tag_key,
        tag_value,
        tag_source,
        valid_from,
        valid_to,
        valid_to is null as is_current
    from periods
    where is_present
)

select * from carried
