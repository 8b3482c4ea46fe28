{#-
    Returns the ROI horizons in days after acquisition, var siyu_roi_horizon_days as a sorted list
    of integers. The marts contract names columns for 0, 7, 30 and 90 (revenue_d0 ... roi_d90):
    those four must stay in the list; more add columns.
-#}
{% macro roi_horizon_days() -%}
    {%- set horizons = [] -%}
    {%- for day in var('siyu_roi_horizon_days') -%}
        {%- do horizons.append(day | int) -%}
    {%- endfor -%}
    {{ return(horizons | sort) }}
{%- endmacro %}
