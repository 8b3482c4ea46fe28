{#-
    Returns the TIMESTAMP of a local (Asia/Shanghai) date-time delivered as text without an offset.
    Accepted layouts (var siyu_local_datetime_layouts, first match wins; ingestion's
    local_datetime rule accepts the same list): yyyy-MM-dd HH:mm:ss[.SSS], yyyy/MM/dd HH:mm:ss,
    yyyy-MM-ddTHH:mm:ss, yyyyMMddHHmmss, yyyy-MM-dd HH:mm, yyyy-MM-dd, yyyy/MM/dd, yyyyMMdd.
    The value is already local time, so no shift is applied. Anything else becomes null.
-#}
{% macro shanghai_ts_from_local_text(column) -%}
    {{ return(adapter.dispatch('shanghai_ts_from_local_text', 'siyu')(column)) }}
{%- endmacro %}

{% macro default__shanghai_ts_from_local_text(column) -%}
    {%- set layouts = var('siyu_local_datetime_layouts') -%}
    try_strptime({{ siyu.trim_text(column) }}, [
        {%- for layout in layouts %}'{{ layout }}'{{ ', ' if not loop.last }}{% endfor -%}
    ])
{%- endmacro %}

{#- Spark: the first layout that parses, each layout translated to a Java date-time pattern. -#}
{% macro spark__shanghai_ts_from_local_text(column) -%}
    coalesce(
        {%- for layout in var('siyu_local_datetime_layouts') %}
        try_to_timestamp({{ siyu.trim_text(column) }}, {{ siyu.sql_string(siyu.java_datetime_pattern(layout)) }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
