{#- Returns a list of strings as a SQL list of quoted literals: ['a', 'b'] -> ('a', 'b'). -#}
{% macro funnel_sql_list(values) -%}
    ({%- for value in values -%}'{{ value }}'{{ ', ' if not loop.last }}{%- endfor -%})
{%- endmacro %}
