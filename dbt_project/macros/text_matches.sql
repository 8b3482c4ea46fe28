{#- Returns true when the text matches the regular expression (anywhere; anchor it with ^...$). -#}
{% macro text_matches(column, pattern) -%}
    {{ return(adapter.dispatch('text_matches', 'siyu')(column, pattern)) }}
{%- endmacro %}

{% macro default__text_matches(column, pattern) -%}
    regexp_matches({{ column }}, '{{ pattern }}')
{%- endmacro %}
