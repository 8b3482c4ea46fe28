{#-
    Returns a query of one column `days_since_acquisition` holding 0, 1, ..., max_days (portable:
    no generate_series).
-#}
{% macro roi_day_spine(max_days) -%}
    {%- for day in range(max_days | int + 1) %}
    select {{ day }} as days_since_acquisition
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
