{#- Returns the SQL type of every money column: yuan as DECIMAL(18,2). -#}
{% macro money_type() -%}
    decimal(18, 2)
{%- endmacro %}
