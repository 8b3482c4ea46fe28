{{
    config(
        unique_key='touchpoint_key',
        post_hook="{{ remove_gone_rows(ref('int_touchpoints__changes'), 'touchpoint_key') }}",
    )
}}
{#-
    Every touch between a resolved customer and the brand, one row per touch: the touches of
    int_touchpoints__with_customer (where the logic is), stored.

    Incremental on DuckDB: only the touches int_touchpoints__changes lists as new or changed are
    written (replacing theirs by touchpoint_key), and those it lists as gone are deleted; a build
    that is not a full refresh takes every row from there, a first build included (every touch is
    new). On Spark and on a full refresh, every touch, computed here.
-#}
{%- set builds_whole = computes_every_row() %}
-- depends_on: {{ ref('int_touchpoints__changes') }}
-- depends_on: {{ ref('int_touchpoints__with_customer') }}
with

touches as (
    {%- if builds_whole %}
        select * from {{ ref('int_touchpoints__with_customer') }}
    {%- else %}
        select * from {{ ref('int_touchpoints__changes') }}
        where not is_gone
    {%- endif %}
),

final as (
    select
        {{ touchpoint_columns() | join(',\n        ') }}
    from touches
)

select * from final
