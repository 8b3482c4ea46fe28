{#-
    Returns numerator / denominator as DECIMAL(18, scale), or null when the denominator is 0 or
    null (a ROI without spend, a CAC without customers) or the numerator is null.
-#}
{% macro roi_ratio(numerator, denominator, scale=4) -%}
    {{ siyu.double_to_decimal(
        'cast(' ~ numerator ~ ' as double) / nullif(cast(' ~ denominator ~ ' as double), 0)', scale
    ) }}
{%- endmacro %}
