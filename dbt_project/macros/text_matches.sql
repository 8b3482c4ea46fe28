{#- Returns true when the text matches the regular expression (anywhere; anchor it with ^...$). -#}
{% macro text_matches(column, pattern) -%}
    {{ return(adapter.dispatch('text_matches', 'siyu')(column, pattern)) }}
{%- endmacro %}

{% macro default__text_matches(column, pattern) -%}
    regexp_matches({{ column }}, {{ siyu.sql_string(pattern) }})
{%- endmacro %}

{% macro spark__text_matches(column, pattern) -%}
    regexp_like({{ column }}, {{ siyu.sql_string(pattern) }})
{%- endmacro %}
