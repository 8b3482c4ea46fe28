{#-
    Returns the Asia/Shanghai local TIMESTAMP of an RFC 3339 date-time with an offset
    (WeChat Pay coupons: 2026-11-01T10:00:00+08:00; also Z or another offset, optional fraction).
    The instant is taken from the text's own offset, then shown at +08:00. Text without an offset
    is read as local time (shanghai_ts_from_local_text).
-#}
{% macro shanghai_ts_from_rfc3339(column) -%}
    {{ return(adapter.dispatch('shanghai_ts_from_rfc3339', 'siyu')(column)) }}
{%- endmacro %}

{% macro default__shanghai_ts_from_rfc3339(column) -%}
    {%- set with_offset = "regexp_replace(" ~ siyu.trim_text(column) ~ ", '[Zz]$', '+00:00')" -%}
    coalesce(
        {{ siyu.shanghai_ts_from_epoch_micros(
            "epoch_us(try_strptime(" ~ with_offset ~ ", ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%d %H:%M:%S%z']))"
        ) }},
        {{ siyu.shanghai_ts_from_local_text(column) }}
    )
{%- endmacro %}

{% macro spark__shanghai_ts_from_rfc3339(column) -%}
    {%- set with_offset = siyu.regexp_replace_all(siyu.trim_text(column), '[Zz]$', '+00:00') -%}
    {%- set parsed -%}
        coalesce(
            {%- for layout in ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%d %H:%M:%S%z'] %}
            try_to_timestamp({{ with_offset }}, {{ siyu.sql_string(siyu.java_datetime_pattern(layout)) }}){{ ',' if not loop.last }}
            {%- endfor %}
        )
    {%- endset -%}
    coalesce(
        {{ siyu.shanghai_ts_from_epoch_micros('unix_micros(' ~ parsed ~ ')') }},
        {{ siyu.shanghai_ts_from_local_text(column) }}
    )
{%- endmacro %}
