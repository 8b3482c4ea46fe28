{#- Returns a SQL text literal of a value (quotes doubled), or a typed null for none. -#}
{% macro tag_sql_literal(value) -%}
    {%- if value is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        '{{ (value | string) | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}
