{#-
    Returns the text stored in customer_tags.tag_value for a rule's SQL expression, by value type:
    boolean -> 'true' when the rule holds (else null: no tag), integer -> whole number, number ->
    four decimals, text -> the text. A null value means the customer does not carry the tag.
-#}
{% macro tag_value_sql(expression, value_type) -%}
    {%- if value_type == 'boolean' -%}
        case when {{ expression }} then 'true' end
    {%- elif value_type == 'integer' -%}
        cast(cast({{ expression }} as bigint) as {{ dbt.type_string() }})
    {%- elif value_type == 'number' -%}
        cast(cast({{ expression }} as decimal(18, 4)) as {{ dbt.type_string() }})
    {%- else -%}
        cast({{ expression }} as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}
