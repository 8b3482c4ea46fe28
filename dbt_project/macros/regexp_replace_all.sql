{#-
    Returns the text with every match of the regular expression `pattern` replaced by
    `replacement`; both are given as plain text (not SQL literals), the replacement refers to
    groups as \1. DuckDB needs the 'g' flag for every match; Spark replaces every match and
    writes group references as $1.
-#}
{% macro regexp_replace_all(column, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'siyu')(column, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(column, pattern, replacement) -%}
    regexp_replace({{ column }}, {{ siyu.sql_string(pattern) }}, {{ siyu.sql_string(replacement) }}, 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(column, pattern, replacement) -%}
    {%- set java_replacement = modules.re.sub('\\\\([0-9])', '$\\1', replacement) -%}
    regexp_replace({{ column }}, {{ siyu.sql_string(pattern) }}, {{ siyu.sql_string(java_replacement) }})
{%- endmacro %}
