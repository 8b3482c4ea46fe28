{#-
    Returns the Asia/Shanghai local TIMESTAMP of unix seconds delivered as text (WeCom `createtime`,
    Official Account `subscribe_time`). Non-numeric text becomes null.
-#}
{% macro shanghai_ts_from_unix_seconds(column) -%}
    {%- set micros_per_second = 1000000 -%}
    {{ siyu.shanghai_ts_from_epoch_micros(
        'try_cast(' ~ siyu.trim_text(column) ~ ' as double) * ' ~ micros_per_second
    ) }}
{%- endmacro %}
