{#-
    Returns the Asia/Shanghai local TIMESTAMP of unix milliseconds delivered as text (app events'
    `time`). Non-numeric text becomes null.
-#}
{% macro shanghai_ts_from_unix_millis(column) -%}
    {%- set micros_per_milli = 1000 -%}
    {{ siyu.shanghai_ts_from_epoch_micros(
        'try_cast(' ~ siyu.trim_text(column) ~ ' as double) * ' ~ micros_per_milli
    ) }}
{%- endmacro %}
