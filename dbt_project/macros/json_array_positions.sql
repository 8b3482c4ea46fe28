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

{#- Spark: json_array_length is null for malformed text or a non-array; explode of an empty array
    yields no row. -#}
{% macro spark__json_array_positions(column) -%}
    explode(
        case
            when coalesce(json_array_length({{ column }}), 0) > 0
                then sequence(0, json_array_length({{ column }}) - 1)
            else array()
        end
    )
{%- endmacro %}
