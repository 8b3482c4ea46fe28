{#-
    Returns capture group `group` of the first match of the regular expression `pattern` (plain
    text, not a SQL literal) in the text, '' when the text does not match, null for null.
    DuckDB (RE2) and Spark (java.util.regex) agree on the syntax siyu uses.
-#}
{% macro regexp_group(column, pattern, group=1) -%}
    regexp_extract({{ column }}, {{ siyu.sql_string(pattern) }}, {{ group }})
{%- endmacro %}
