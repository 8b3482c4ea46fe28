{#-
    Returns the 11-digit mainland mobile number in a phone as typed ('138 1234 5678',
    '+86 138-1234-5678', '008613812345678', '(86)13812345678'), or null when it is not a mobile:
    landlines, masked numbers (138****5678), short codes and junk. Internal only: models output
    hash_phone(), never this.
-#}
{% macro normalise_phone(column) -%}
    {%- set mobile_after_country_code = '^(?:\\+86|0086|86)?(1[3-9][0-9]{9})$' -%}
    nullif({{ siyu.regexp_group(siyu.phone_without_separators(column), mobile_after_country_code) }}, '')
{%- endmacro %}
