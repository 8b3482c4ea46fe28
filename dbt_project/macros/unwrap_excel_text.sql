{#-
    Returns the value inside a spreadsheet text guard, trimmed: Tmall's seller-centre report wraps
    long numbers as ="2890123456789012345" (often with a trailing tab) so spreadsheets keep every
    digit. Values without the guard come back trimmed and otherwise unchanged.
-#}
{% macro unwrap_excel_text(column) -%}
    {{ siyu.regexp_replace_all(siyu.trim_text(column), '^="(.*)"$', '\\1') }}
{%- endmacro %}
