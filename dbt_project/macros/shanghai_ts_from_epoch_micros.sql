{#-
    Returns the Asia/Shanghai local TIMESTAMP (no time zone) of an instant given as microseconds
    since the unix epoch. Asia/Shanghai has kept UTC+08:00 without DST since 1991, so adding the
    fixed offset (var siyu_local_utc_offset_hours) is exact and does not depend on the session's or
    the machine's time zone. The other timestamp macros build on this one.
-#}
{% macro shanghai_ts_from_epoch_micros(micros) -%}
    {{ return(adapter.dispatch('shanghai_ts_from_epoch_micros', 'siyu')(micros)) }}
{%- endmacro %}

{% macro default__shanghai_ts_from_epoch_micros(micros) -%}
    make_timestamp(cast({{ micros }} as bigint)) + to_hours(cast({{ var('siyu_local_utc_offset_hours') }} as bigint))
{%- endmacro %}

{#- Spark: the session time zone is UTC (profiles.yml), so an instant's UTC wall clock plus the
    offset is the local time; a fractional micro rounds half to even as DuckDB's cast does. -#}
{% macro spark__shanghai_ts_from_epoch_micros(micros) -%}
    timestamp_micros(cast(rint({{ micros }}) as bigint) + {{ var('siyu_local_utc_offset_hours') | int }} * 3600000000)
{%- endmacro %}
