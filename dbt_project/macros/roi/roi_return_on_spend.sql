{#-
    Returns siyu's ROI of `revenue` against `spend`: (revenue - spend) / spend as DECIMAL(18,4);
    0 is break-even, 1.5 means every yuan spent came back as 2.5 yuan of net revenue. Null when
    there is no spend (owned channels) or no revenue figure (a horizon not yet elapsed).
    Ad platforms' "ROI" (GMV / spend, 1:2.5) is this value + 1.
-#}
{% macro roi_return_on_spend(revenue, spend) -%}
    {{ siyu.roi_ratio('(' ~ revenue ~ ') - (' ~ spend ~ ')', spend) }}
{%- endmacro %}
