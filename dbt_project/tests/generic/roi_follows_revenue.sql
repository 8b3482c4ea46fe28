{#-
    ROI is the return on spend at every horizon of var siyu_roi_horizon_days, and moves with
    revenue: roi_dN = (revenue_dN - spend) / spend, within 0.0001 (roi_dN is rounded to 4
    decimals), and null without spend or before N days have passed; from one horizon to the next
    the ROI never moves against the revenue (net revenue itself may fall: a refund counts on the
    day it is made). Equal ROIs are allowed where the revenue moved: with a large spend, a small
    revenue change rounds to the same 4 decimals. Fails for every row where a horizon breaks
    either rule.
-#}
{% test roi_follows_revenue(model) %}
{%- set horizons = siyu.roi_horizon_days() %}

select *
from {{ model }}
where
    {%- for horizon in horizons %}
    {{ "or " if not loop.first }}not coalesce(
        case
            when spend > 0 and revenue_d{{ horizon }} is not null
                then abs(roi_d{{ horizon }} - (revenue_d{{ horizon }} - spend) / spend) < 0.0001
            else roi_d{{ horizon }} is null
        end,
        false
    )
    {%- endfor %}
    {%- for horizon in horizons[1:] %}
    {%- set previous = horizons[loop.index0] %}
    or (
        spend > 0
        and revenue_d{{ horizon }} is not null
        and revenue_d{{ previous }} is not null
        and (
            (revenue_d{{ horizon }} > revenue_d{{ previous }} and roi_d{{ horizon }} < roi_d{{ previous }})
            or (revenue_d{{ horizon }} < revenue_d{{ previous }} and roi_d{{ horizon }} > roi_d{{ previous }})
        )
    )
    {%- endfor %}

{% endtest %}
