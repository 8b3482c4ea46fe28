{#-
    Returns the text with leading and trailing white space removed (spaces, tabs, line breaks,
    the ideographic space U+3000 and a stray BOM) and an empty result as null.
    Douyin ids and Tmall values arrive with a trailing tab.
-#}
{% macro trim_text(column) -%}
    {%- set edge_space = '^[\\s\\x{3000}\\x{feff}]+|[\\s\\x{3000}\\x{feff}]+$' -%}
    nullif({{ siyu.regexp_replace_all('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')', edge_space, '') }}, '')
{%- endmacro %}
