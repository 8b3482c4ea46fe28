{{
    config(
        unique_key='tag_history_id',
        pre_hook="{{ tag_history_out_of_step(ref('int_customer_tags__recorded')) }}",
    )
}}
{#-
    Tag history: one row per customer, tag and period in which they carried that value, from the
    log of changes int_customer_tags__recorded. Periods are in data time: valid_from is the
    as_of_at() of the build that first saw the value, valid_to that of the build that saw it change
    or go (null: still carried). Who had tag X on date D:
        where tag_key = 'X' and valid_from <= D and (valid_to is null or valid_to > D)

    Incremental on DuckDB: a day's build logs changes for a small share of the tags, so only the
    periods of tags with a change this table has not taken in are computed again (each from its
    whole log) and replace theirs by tag_history_id; a period that was open gets its valid_to. Every
    change of the log starts a period (valid_from) or ends one (valid_to), so the latest of those
    is the last change taken in. On Spark, whose Parquet tables cannot delete rows, and on a full
    refresh, the whole log is read; and after the log was built again under this table (macro
    tag_history_out_of_step).
-#}
with

recorded as (
    select * from {{ ref('int_customer_tags__recorded') }}
),

{% if is_incremental() -%}
taken_in as (
    select max(coalesce(valid_to, valid_from)) as recorded_at
    from {{ this }}
),

changed_tags as (
    select distinct recorded.customer_tag_id
    from recorded
    cross join taken_in
    where taken_in.recorded_at is null or recorded.recorded_at > taken_in.recorded_at
),

{% endif -%}
log as (
    select recorded.*
    from recorded
    {%- if is_incremental() %}
        inner join changed_tags
            on recorded.customer_tag_id = changed_tags.customer_tag_id
    {%- endif %}
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
    from log
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
