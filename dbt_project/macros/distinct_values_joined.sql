{#-
    Returns, as an aggregate, the distinct non-null values of a text expression in ascending
    order joined by `delimiter` ('app,pos,wecom'); null for a group without values.
-#}
{% macro distinct_values_joined(expression, delimiter=',') -%}
    {{ return(adapter.dispatch('distinct_values_joined', 'siyu')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__distinct_values_joined(expression, delimiter) -%}
    string_agg(distinct {{ expression }}, {{ siyu.sql_string(delimiter) }} order by {{ expression }})
{%- endmacro %}

{% macro spark__distinct_values_joined(expression, delimiter) -%}
    nullif(array_join(array_sort(collect_set({{ expression }})), {{ siyu.sql_string(delimiter) }}), '')
{%- endmacro %}
