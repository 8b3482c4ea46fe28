{{
    config(
        materialized='incremental',
        unique_key=['previous_customer_id', 'customer_id'],
        incremental_strategy='append' if target.type == 'spark' else 'delete+insert',
        full_refresh=false,
    )
}}
{#-
    History of customer id changes between runs: a previous customer merged into another
    (`merged`: its id no longer exists, the older id survived) or part of a customer split off into
    a new one (`split`: the original id lives on with the largest part). Appended run after run.
    Spark tables in Parquet cannot delete rows, so there a change already recorded is not
    appended again (its first recording stays); DuckDB replaces it by the latest. full_refresh is
    off: a rebuild from the exports has seen no earlier run, so `dbt build --full-refresh` (which
    the pipeline runs after a change to the project) keeps the log; to start over, drop the table.
-#}
with

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

changed as (
    select
        previous_customer_id,
        customer_id,
        count(*) as identifiers_moved
    from customer_ids
    where previous_customer_id is not null and previous_customer_id <> customer_id
    group by previous_customer_id, customer_id
),

current_ids as (
    select distinct customer_id from customer_ids
),

classified as (
    select
        changed.previous_customer_id,
        changed.customer_id,
        case when current_ids.customer_id is null then 'merged' else 'split' end as change_type,
        changed.identifiers_moved,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as recorded_at_utc
    from changed
    left join current_ids
        on changed.previous_customer_id = current_ids.customer_id
)

select * from classified
{%- if is_incremental() and target.type == 'spark' %}
where not exists (
    select 1 from {{ this }} as recorded
    where
        recorded.previous_customer_id = classified.previous_customer_id
        and recorded.customer_id = classified.customer_id
)
{%- endif %}
