{#- Returns the junk reason for a phone_hash whose phone_kind says it was a placeholder number. -#}
{% macro test_phone_reason(phone_kind_column) -%}
    case when {{ phone_kind_column }} = 'test' then 'test or placeholder phone number' end
{%- endmacro %}
