{#-
    Returns a yuan amount delivered as text ('128.00', '¥1,280.50', ' 99 ') as DECIMAL(18,2);
    unparseable text becomes null.
-#}
{% macro text_to_yuan(column) -%}
    try_cast({{ siyu.regexp_replace_all(siyu.trim_text(column), '[¥￥,\\s]', '') }} as {{ siyu.money_type() }})
{%- endmacro %}
