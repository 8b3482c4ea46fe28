{#-
    Returns the element at a 0-based position of a JSON array held as text: a string unquoted, a
    number as its literal, an object as JSON text (read its fields with json_string).
-#}
{% macro json_array_item(column, position) -%}
    {{ return(adapter.dispatch('json_array_item', 'siyu')(column, position)) }}
{%- endmacro %}

{% macro default__json_array_item(column, position) -%}
    json_extract_string({{ column }}, '$[' || cast({{ position }} as {{ dbt.type_string() }}) || ']')
{%- endmacro %}

{% macro spark__json_array_item(column, position) -%}
    get_json_object({{ column }}, '$[' || cast({{ position }} as string) || ']')
{%- endmacro %}
