{#-
    The touches whose row differs from the one int_touchpoints__unioned kept from the last build:
    new touches, touches with any column changed (a record delivered again, a campaign signal now
    mapped), touches whose identifier now resolves to another customer (a merge, a split; an app
    trail's first touch moving to another device) and touches gone. Each new or changed touch
    with its columns as it resolves now, and the customer the kept row names (null when new), so
    that int_touchpoints__unioned writes only these rows and the models keyed by customer compute
    again only the customers a day touched (macro customers_touched_by).

    Reads int_touchpoints__unioned's table by name (macro kept_table). Before that table exists
    every touch is new. Empty on a full refresh and on Spark, which build every touch.
-#}
{%- set builds_whole = computes_every_row() -%}
{%- set columns = touchpoint_columns() -%}
{%- set kept = none if builds_whole else kept_table('int_touchpoints__unioned', columns) %}

with

current_touches as (
    select * from {{ ref('int_touchpoints__with_customer') }}
),

-- the last build's rows; none (every touch new) before the first
kept_touches as (
    select * from {{ kept if kept is not none else 'current_touches where false' }}
),

changes as (
    {{ changed_rows('current_touches', 'kept_touches', 'touchpoint_key', columns[1:], columns[1:]) }}
)

select
    {%- for column in columns %}
        {{ column }},
    {%- endfor %}
    previous_customer_id,
    is_gone
from changes
{%- if builds_whole %}
where false
{%- endif %}
