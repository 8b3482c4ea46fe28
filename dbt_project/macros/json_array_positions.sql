{#-
    Returns, as a select-list expression that yields one row per element, the 0-based positions of
    the elements of a JSON array held as text. Rows with a null, empty or malformed array yield
    no row. Building block of json_array_elements, which pairs it with json_array_item.
-#}
{% macro json_array_positions(column) -%}
    {{ return(adapter.dispatch('json_array_positions', 'siyu')(column)) }}
{%- endmacro %}

{% macro default__json_array_positions(column) -%}
    unnest(range(cast(case when json_valid({{ column }}) then coalesce(json_array_length({{ column }}), 0) else 0 end as bigint)))
{%- endmacro %}
