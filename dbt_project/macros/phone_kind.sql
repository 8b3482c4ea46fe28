{#-
    Returns what a phone as typed is: 'mobile' (normalise_phone finds an 11-digit mobile),
    'test' (a well-formed mobile that is a known test number or ends in eight equal digits,
    13800138000, 13888888888: still hashed, but identity stitching never links on it),
    'masked' (digits hidden with * as platforms deliver them, 138****5678), 'landline' (with area
    code 0xx(x), a 7-8 digit local number, or a 400/800 service number), 'empty' (null or blank) or
    'invalid' (anything else).
-#}
{% macro phone_kind(column) -%}
    {%- set cleaned = siyu.phone_without_separators(column) -%}
    {%- set without_country_code = siyu.regexp_replace_all(cleaned, '^(\\+86|0086)', '') -%}
    {%- set landline_pattern = '^(0[1-9][0-9]{8,10}|[2-9][0-9]{6,7}|[48]00[0-9]{7})$' -%}
    case
        when {{ cleaned }} is null then 'empty'
        when {{ siyu.phone_is_test_number(siyu.normalise_phone(column)) }} then 'test'
        when {{ siyu.normalise_phone(column) }} is not null then 'mobile'
        when {{ siyu.text_matches(cleaned, '[*＊]') }} then 'masked'
        when {{ siyu.text_matches(without_country_code, landline_pattern) }} then 'landline'
        else 'invalid'
    end
{%- endmacro %}
