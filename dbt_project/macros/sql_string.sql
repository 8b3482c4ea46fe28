{#-
    Returns text as a SQL string literal of the target engine, whatever it holds (regular
    expressions with backslashes, apostrophes). DuckDB takes backslashes verbatim and doubles
    apostrophes; Spark's parser unescapes backslash sequences, so both are escaped with one.
-#}
{% macro sql_string(text) -%}
    {{ return(adapter.dispatch('sql_string', 'siyu')(text)) }}
{%- endmacro %}

{% macro default__sql_string(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__sql_string(text) -%}
    '{{ text | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
