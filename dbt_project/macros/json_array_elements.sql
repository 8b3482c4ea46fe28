{#-
    Returns a query over `relation` (a CTE name) with one row per element of the JSON array held
    as text in `column`: every column of the relation, plus `element_position` (0-based) and
    `element_value` (the element as text: a string unquoted, an object as JSON text). Rows whose
    array is null, empty or malformed yield no row.
-#}
{% macro json_array_elements(relation, column) -%}
    select
        *,
        {{ siyu.json_array_item(column, 'element_position') }} as element_value
    from (
        select
            *,
            {{ siyu.json_array_positions(column) }} as element_position
        from {{ relation }}
    ) as array_positions
{%- endmacro %}
