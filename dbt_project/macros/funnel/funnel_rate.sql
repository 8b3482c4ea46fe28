{#-
    Returns numerator / denominator as a double (a type DuckDB and Spark both spell so), or null
    when the denominator is 0 or null.
-#}
{% macro funnel_rate(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif({{ denominator }}, 0)
{%- endmacro %}
