{#-
    Returns the number of calendar-day boundaries from `start_at` to `end_at` (negative when
    end_at is earlier): 2026-11-01 23:59 to 2026-11-02 00:01 is 1 day.
-#}
{% macro days_between(start_at, end_at) -%}
    {{ return(adapter.dispatch('days_between', 'siyu')(start_at, end_at)) }}
{%- endmacro %}

{% macro default__days_between(start_at, end_at) -%}
    date_diff('day', cast({{ start_at }} as date), cast({{ end_at }} as date))
{%- endmacro %}

{% macro spark__days_between(start_at, end_at) -%}
    datediff(cast({{ end_at }} as date), cast({{ start_at }} as date))
{%- endmacro %}
