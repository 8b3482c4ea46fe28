{#-
    Returns the median of a numeric expression as an aggregate (nulls ignored). DuckDB has
    median(); Spark the exact percentile(x, 0.5); anything else the SQL-standard ordered-set form.
-#}
{% macro funnel_median(expression) -%}
    {{ return(adapter.dispatch('funnel_median', 'siyu')(expression)) }}
{%- endmacro %}

{% macro default__funnel_median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__funnel_median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro spark__funnel_median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}
