{#-
    Returns a WeChat Pay bill value without the leading backtick (`) the bill puts before every
    value so that spreadsheets keep it as text, trimmed, empty as null.
-#}
{% macro strip_backtick(column) -%}
    {{ siyu.trim_text(siyu.regexp_replace_all(column, '^\\s*`', '')) }}
{%- endmacro %}
