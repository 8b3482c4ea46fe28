{#-
    Comparing what a build computes now with what an incremental model kept from the last build
    (int_orders__changes, int_touchpoints__changes, dim_customer, fct_customer_funnel;
    docs/schedules.md):

    - kept_table(name, columns): that model's table, in this model's schema, as the last build
      left it, read by name (a ref() would make the model its own ancestor). None before it
      exists, and at parse time. A table that lacks one of `columns` was built by another version
      of the project, whose first build is a full refresh (which does not call this): the build
      stops and says so (a dbt command run by hand without --full-refresh).
    - changed_rows(...): the comparison itself, as a select (below);
    - customers_touched_by(changes): the customers a changes model lists, now or before;
    - remove_gone_rows(changes, key): a post-hook deleting the rows whose `key` the changes model
      lists as gone (delete+insert replaces only the keys it writes). Nothing on a table build
      (Spark, a full refresh).
    - require_kept_columns(columns): in an incremental model that compares what it computes with
      its own kept rows column by column (dim_customer, fct_customer_funnel), stops the build
      unless the kept table has exactly `columns`: a table another version of the project built
      (a hand build after an upgrade; siyu's first build after one is a full refresh), or a
      column added to the model but not to its list, which would never be compared.
    - remove_rows_marked_gone(column): the post-hook of a model that compares what it computes
      with its own kept rows (customer_tags, fct_customer_funnel) and writes a row that goes with
      a null in `column`, a column never null in a row it keeps: delete+insert replaces the kept
      row by its key, and this deletes it, in the same transaction. Nothing on a table build.
-#}
{% macro kept_table(name, columns) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set kept = adapter.get_relation(this.database, this.schema, name) -%}
    {%- if kept is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set kept_columns = adapter.get_columns_in_relation(kept) | map(attribute='name') | list -%}
    {%- for column in columns if column not in kept_columns -%}
        {{ exceptions.raise_compiler_error(
            kept ~ " has no column " ~ column ~ ": it was built by another version of the project."
            ~ " Build with --full-refresh."
        ) }}
    {%- endfor -%}
    {{ return(kept) }}
{%- endmacro %}

{% macro remove_gone_rows(changes, key) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ key }} in (select {{ key }} from {{ changes }} where is_gone)
    {%- endif -%}
{%- endmacro %}

{% macro require_kept_columns(columns) -%}
    {%- if execute and is_incremental() -%}
        {%- set kept = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {%- if kept | sort != columns | sort -%}
            {{ exceptions.raise_compiler_error(
                this ~ " has the columns " ~ (kept | sort | join(', ')) ~ "; the model compares "
                ~ (columns | sort | join(', '))
                ~ ". Build with --full-refresh (a table another version built), or name the"
                ~ " model's new column in its list."
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro remove_rows_marked_gone(column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ column }} is null
    {%- endif -%}
{%- endmacro %}

{#-
    changed_rows(current, kept, key, compared, carried): the select of the rows whose `key` is new
    in `current`, gone from `kept`, or differs in one of the `compared` columns, with the
    `carried` columns as they are now, the customer the kept row names (previous_customer_id) and
    is_gone. `current` and `kept` are names of common table expressions.
-#}
{% macro changed_rows(current, kept, key, compared, carried) -%}
    select
        coalesce({{ current }}.{{ key }}, {{ kept }}.{{ key }}) as {{ key }},
        {%- for column in carried %}
            {{ current }}.{{ column }},
        {%- endfor %}
        {{ kept }}.customer_id as previous_customer_id,
        {{ current }}.{{ key }} is null as is_gone
    from {{ current }}
    full outer join {{ kept }}
        on {{ current }}.{{ key }} = {{ kept }}.{{ key }}
    where
        {{ current }}.{{ key }} is null
        or {{ kept }}.{{ key }} is null
        {%- for column in compared %}
            or {{ current }}.{{ column }} is distinct from {{ kept }}.{{ column }}
        {%- endfor %}
{%- endmacro %}

{#- customers_touched_by(changes): the customers a changes model lists, now or before, as a select -#}
{% macro customers_touched_by(changes) -%}
    select customer_id from {{ changes }}
    where customer_id is not null
    union
    select previous_customer_id from {{ changes }}
    where previous_customer_id is not null
{%- endmacro %}
