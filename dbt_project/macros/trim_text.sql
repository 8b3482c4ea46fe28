{#-
    Returns the text with leading and trailing white space removed (spaces, tabs, line breaks,
    the ideographic space U+3000 and a stray BOM) and an empty result as null.
    Douyin ids and Tmall values arrive with a trailing tab.
-#}
{% macro trim_text(column) -%}
    {{ return(adapter.dispatch('trim_text', 'siyu')(column)) }}
{%- endmacro %}

{% macro default__trim_text(column) -%}
    nullif(regexp_replace(cast({{ column }} as varchar), '^[\s\x{3000}\x{feff}]+|[\s\x{3000}\x{feff}]+$', '', 'g'), '')
{%- endmacro %}
