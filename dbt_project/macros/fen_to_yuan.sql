{#-
    Returns an amount delivered in fen (integer hundredths of a yuan, as Tencent Ads `cost` and
    WeChat Pay coupon amounts are) as yuan DECIMAL(18,2).
-#}
{% macro fen_to_yuan(column) -%}
    {%- set fen_per_yuan = 100 -%}
    cast(try_cast({{ siyu.trim_text(column) }} as decimal(38, 0)) / {{ fen_per_yuan }} as {{ siyu.money_type() }})
{%- endmacro %}
