{#- Returns the value types a tag may declare (value_type in the tag catalogue). -#}
{% macro tag_value_types() -%}
    {{ return(['boolean', 'text', 'integer', 'number']) }}
{%- endmacro %}
