{#- Returns the time from start_at to end_at in days, with fractions (to the second). -#}
{% macro funnel_elapsed_days(start_at, end_at) -%}
    cast({{ dbt.datediff(start_at, end_at, 'second') }} as double) / 86400
{%- endmacro %}
