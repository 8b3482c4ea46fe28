{#-
    Returns a yuan amount delivered as text ('128.00', '¥1,280.50', ' 99 ') as DECIMAL(18,2);
    unparseable text becomes null.
-#}
{% macro text_to_yuan(column) -%}
    try_cast(regexp_replace({{ siyu.trim_text(column) }}, '[¥￥,\s]', '', 'g') as {{ siyu.money_type() }})
{%- endmacro %}
