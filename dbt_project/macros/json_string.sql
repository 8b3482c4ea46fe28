{#-
    Returns the value at a key path of a JSON text as text: a string unquoted, a number or boolean
    as its literal, an object or array as JSON text, a missing key or JSON null as null.
    `keys` is one key or a list of nested keys; keys may hold any character ('$utm_source',
    'share source'), they are quoted for the engine here.
-#}
{% macro json_string(column, keys) -%}
    {{ return(adapter.dispatch('json_string', 'siyu')(column, keys)) }}
{%- endmacro %}

{% macro default__json_string(column, keys) -%}
    {%- set key_list = [keys] if keys is string else keys -%}
    {%- set path -%}
        ${% for key in key_list %}."{{ key | replace('"', '\\"') | replace("'", "''") }}"{% endfor %}
    {%- endset -%}
    json_extract_string({{ column }}, '{{ path | trim }}')
{%- endmacro %}

{% macro spark__json_string(column, keys) -%}
    {%- set key_list = [keys] if keys is string else keys -%}
    {%- set path -%}
        ${% for key in key_list %}['{{ key | replace("\\", "\\\\") | replace("'", "\\'") }}']{% endfor %}
    {%- endset -%}
    get_json_object({{ column }}, {{ siyu.sql_string(path | trim) }})
{%- endmacro %}
