{#-
    Returns the typed value of a stored tag_value text for comparisons in audience expressions:
    boolean tags compare as true/false (false when the customer lacks the tag), integer and
    number tags as numbers, text tags as text (null when the customer lacks the tag).
-#}
{% macro tag_typed_value_sql(text_expression, value_type) -%}
    {%- if value_type == 'integer' -%}
        cast({{ text_expression }} as bigint)
    {%- elif value_type == 'number' -%}
        cast({{ text_expression }} as decimal(18, 4))
    {%- else -%}
        {{ text_expression }}
    {%- endif -%}
{%- endmacro %}
