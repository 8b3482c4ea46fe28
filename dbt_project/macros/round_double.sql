{#-
    Rounding a DOUBLE to `scale` decimals as DuckDB does it (round half away from zero of
    value * 10^scale as a double), and a DOUBLE cast to DECIMAL(18, scale) with the same result on
    every engine. Spark rounds doubles through their shortest decimal text instead
    (2580.345 -> 2580.35, where the double is 2580.34499.. and DuckDB gives 2580.34), so its
    implementations scale, round to a whole number and scale back, which both engines agree on.
-#}
{% macro round_double(expression, scale) -%}
    {{ return(adapter.dispatch('round_double', 'siyu')(expression, scale)) }}
{%- endmacro %}

{% macro default__round_double(expression, scale) -%}
    round({{ expression }}, {{ scale }})
{%- endmacro %}

{% macro spark__round_double(expression, scale) -%}
    round(({{ expression }}) * 1e{{ scale }}) / 1e{{ scale }}
{%- endmacro %}

{% macro double_to_decimal(expression, scale) -%}
    {{ return(adapter.dispatch('double_to_decimal', 'siyu')(expression, scale)) }}
{%- endmacro %}

{% macro default__double_to_decimal(expression, scale) -%}
    cast({{ expression }} as decimal(18, {{ scale }}))
{%- endmacro %}

{% macro spark__double_to_decimal(expression, scale) -%}
    cast({{ siyu.spark__round_double(expression, scale) }} as decimal(18, {{ scale }}))
{%- endmacro %}
