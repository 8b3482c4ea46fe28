{#-
    Tag history (SCD type 2) of customer_tags, in data time: a new version starts at the
    computed_at (as_of_at()) of the build that first sees a value, so history can be rebuilt day by
    day by setting var siyu_as_of. A tag that disappears is kept as a version with is_present false
    (not a hard delete, which dbt would stamp with the wall clock). History only moves forward: a
    build whose as_of_at() is not after the last recorded one leaves the history as it is (its
    open versions are selected again, unchanged). Read it through the model customer_tag_history.
-#}
{% snapshot customer_tags_snapshot %}

    {{ config(
        schema='snapshots',
        unique_key='customer_tag_id',
        strategy='check',
        check_cols=['tag_value', 'tag_source', 'is_present'],
        updated_at='computed_at',
        meta={'dagster': {'group': 'tags'}},
    ) }}

    {#- the snapshot so far, or (first run) an empty stand-in with its columns -#}
    {%- set history = adapter.get_relation(this.database, this.schema, this.identifier) if execute else none -%}
    {%- set recorded_versions -%}
        {%- if history is not none -%}
            {{ this }}
        {%- else -%}
            (select *, computed_at as dbt_valid_from, computed_at as dbt_valid_to from current_tags where false)
        {%- endif -%}
    {%- endset %}

    with

    current_tags as (
        select
            customer_tag_id,
            customer_id,
            tag_key,
            tag_value,
            tag_source,
            computed_at,
            true as is_present
        from {{ ref('customer_tags') }}
    ),

    as_of as (
        select {{ as_of_at() }} as computed_at
    ),

    -- the versions recorded so far (none on the first run)
    history as (
        select
            customer_tag_id,
            customer_id,
            tag_key,
            tag_value,
            tag_source,
            computed_at,
            is_present,
            dbt_valid_from,
            dbt_valid_to
        from {{ recorded_versions }} as recorded_versions
    ),

    run_state as (
        select
            coalesce(max(case when history.dbt_valid_from >= as_of.computed_at then 1 else 0 end), 0) = 1
                as is_recorded
        from as_of
        left join history
            on true
    ),

    open_versions as (
        select
            customer_tag_id,
            customer_id,
            tag_key,
            tag_value,
            tag_source,
            computed_at,
            is_present
        from history
        where dbt_valid_to is null
    ),

    removed_tags as (
        select
            open_versions.customer_tag_id,
            open_versions.customer_id,
            open_versions.tag_key,
            open_versions.tag_value,
            open_versions.tag_source,
            as_of.computed_at,
            false as is_present
        from open_versions
        cross join as_of
        where open_versions.customer_tag_id not in (select current_tags.customer_tag_id from current_tags)
    ),

    snapshotted as (
        select
            current_tags.customer_tag_id,
            current_tags.customer_id,
            current_tags.tag_key,
            current_tags.tag_value,
            current_tags.tag_source,
            current_tags.computed_at,
            current_tags.is_present
        from current_tags
        cross join run_state
        where not run_state.is_recorded
        union all
        select
            removed_tags.customer_tag_id,
            removed_tags.customer_id,
            removed_tags.tag_key,
            removed_tags.tag_value,
            removed_tags.tag_source,
            removed_tags.computed_at,
            removed_tags.is_present
        from removed_tags
        cross join run_state
        where not run_state.is_recorded
        union all
        select
            open_versions.customer_tag_id,
            open_versions.customer_id,
            open_versions.tag_key,
            open_versions.tag_value,
            open_versions.tag_source,
            open_versions.computed_at,
            open_versions.is_present
        from open_versions
        cross join run_state
        where run_state.is_recorded
    )

    select * from snapshotted

{% endsnapshot %}
