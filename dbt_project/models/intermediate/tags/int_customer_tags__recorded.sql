{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
        schema='snapshots',
        meta={'dagster': {'group': 'tags'}},
    )
}}
{#-
    Tag history as a log of changes, appended run after run: one row each time a customer's tag
    starts, changes value or source, or goes (is_present false), stamped with the as_of_at() of the
    build that saw it (data time, so history can be back-filled day by day with var siyu_as_of).
    customer_tag_history turns the log into periods. History only moves forward: a build whose
    as_of_at() is not after the last recorded one appends nothing.

    Append-only on purpose: it runs the same on DuckDB and on Spark's plain Parquet tables, which
    cannot update rows (dbt snapshots need Delta, Hudi or Iceberg there). full_refresh is off, so
    `dbt build --full-refresh` never wipes the history. On its first build it takes over the
    versions of the dbt snapshot snapshots.customer_tags_snapshot that kept this history before.

    Tags whose catalogue entry says `history: current` (values that move every day by themselves,
    such as day counts up to as_of) are not logged: a change per carrier and day would make most of
    the log, and every build reads the whole log. A tag switched to `current` gets its open periods
    closed once, by the build that first sees the setting (logged as gone).
-#}
{%- set current_only_keys = [] -%}
{%- for tag in siyu.tag_catalogue() if tag.history == 'current' -%}
    {%- do current_only_keys.append(siyu.tag_sql_literal(tag.key)) -%}
{%- endfor -%}
{#- the condition on customer_tags' rows whose history is kept -#}
{%- set history_kept = ('tag_key not in (' ~ current_only_keys | join(', ') ~ ')')
    if current_only_keys else 'true' -%}
{%- set legacy_snapshot = none -%}
{%- if execute and not is_incremental() -%}
    {%- set legacy_snapshot = adapter.get_relation(this.database, this.schema, 'customer_tags_snapshot') -%}
{%- endif %}

with

current_tags as (
    select
        customer_tag_id,
        customer_id,
        tag_key,
        tag_value,
        tag_source
    from {{ ref('customer_tags') }}
    where {{ history_kept }}
),

as_of as (
    select {{ as_of_at() }} as recorded_at
),

{% if legacy_snapshot is not none -%}
-- the dbt snapshot this model replaces: each version becomes the change that started it (a
-- zero-length version gives way to the one that replaced it at the same moment)
legacy_versions as (
    select
        customer_tag_id,
        customer_id,
        tag_key,
        tag_value,
        tag_source,
        is_present,
        dbt_valid_from as recorded_at,
        row_number() over (
            partition by customer_tag_id, dbt_valid_from
            order by dbt_valid_to is null desc, dbt_valid_to desc
        ) as version_rank
    from {{ legacy_snapshot }}
),

legacy_changes as (
    select
        {{ surrogate_key(['customer_tag_id', 'recorded_at']) }} as tag_change_id,
        customer_tag_id,
        customer_id,
        tag_key,
        tag_value,
        tag_source,
        is_present,
        recorded_at
    from legacy_versions
    where version_rank = 1
),

{% endif -%}

-- what earlier builds recorded: this model's rows, or (first build) the former snapshot's; read
-- by name where it is a table, so that it is scanned where it is read instead of being held as a
-- common table expression read twice (scale 10: the model's query 7.3 -> 6.5 s with the next step)
{%- if is_incremental() %}
    {%- set recorded = this %}
{%- elif legacy_snapshot is not none %}
    {%- set recorded = 'legacy_changes' %}
{%- else %}
    {%- set recorded -%}
        (
            select customer_tag_id, customer_id, tag_key, tag_value, tag_source, true as is_present,
                cast(null as {{ dbt.type_timestamp() }}) as recorded_at
            from current_tags where false
        )
    {%- endset %}
{%- endif %}

-- each tag's latest recorded change: its last moment, then that row ((customer_tag_id,
-- recorded_at) is unique); a group by the key alone and a join instead of a window over the whole
-- log, which carried every column through the sort
latest_moment as (
    select
        customer_tag_id,
        max(recorded_at) as recorded_at
    from {{ recorded }} as recorded
    group by customer_tag_id
),

latest as (
    select
        recorded.customer_tag_id,
        recorded.customer_id,
        recorded.tag_key,
        recorded.tag_value,
        recorded.tag_source,
        recorded.is_present,
        recorded.recorded_at
    from {{ recorded }} as recorded
    inner join latest_moment
        on
            recorded.customer_tag_id = latest_moment.customer_tag_id
            and recorded.recorded_at = latest_moment.recorded_at
),

last_recorded as (
    select max(recorded_at) as recorded_at from latest_moment
),

-- this build's moment: one row when it is after everything recorded, none otherwise
moment as (
    select as_of.recorded_at
    from as_of
    cross join last_recorded
    where last_recorded.recorded_at is null or as_of.recorded_at > last_recorded.recorded_at
),

-- current tags against the latest recorded change of each tag, in one join: a tag starts,
-- changes value or source, or goes (one hash table instead of two left joins: at scale 10,
-- 11.6 -> 7.4 s and 10.5 -> 6.6 GB)
compared as (
    select
        coalesce(current_tags.customer_tag_id, latest.customer_tag_id) as customer_tag_id,
        coalesce(current_tags.customer_id, latest.customer_id) as customer_id,
        coalesce(current_tags.tag_key, latest.tag_key) as tag_key,
        case
            when current_tags.customer_tag_id is null then latest.tag_value
            else current_tags.tag_value
        end as tag_value,
        case
            when current_tags.customer_tag_id is null then latest.tag_source
            else current_tags.tag_source
        end as tag_source,
        current_tags.customer_tag_id is not null as is_present,
        case
            -- gone: recorded as present, no longer carried
            when current_tags.customer_tag_id is null then coalesce(latest.is_present, false)
            -- started or changed
            else (
                latest.customer_tag_id is null
                or not latest.is_present
                or current_tags.tag_value is distinct from latest.tag_value
                or current_tags.tag_source is distinct from latest.tag_source
            )
        end as is_change
    from current_tags
    full outer join latest
        on current_tags.customer_tag_id = latest.customer_tag_id
),

changes as (
    select
        customer_tag_id,
        customer_id,
        tag_key,
        tag_value,
        tag_source,
        is_present
    from compared
    where is_change
),

stamped as (
    select
        {{ surrogate_key(['changes.customer_tag_id', 'moment.recorded_at']) }} as tag_change_id,
        changes.customer_tag_id,
        changes.customer_id,
        changes.tag_key,
        changes.tag_value,
        changes.tag_source,
        changes.is_present,
        moment.recorded_at
    from changes
    cross join moment
)

select * from stamped
{%- if legacy_snapshot is not none %}
union all
select * from legacy_changes
{%- endif %}
