{#-
    Returns a mobile number in masked form only, '138****5678': a platform's masked value is kept
    when it has exactly that shape, a full mobile is masked here; anything else is null. Never more
    than the first three and last four digits.
-#}
{% macro mask_phone(column) -%}
    {%- set mobile = siyu.normalise_phone(column) -%}
    {%- set masked_pattern = '^(?:\\+86|0086|86)?(1[3-9][0-9][*＊]{4}[0-9]{4})$' -%}
    case
        when {{ mobile }} is not null then left({{ mobile }}, 3) || '****' || right({{ mobile }}, 4)
        else replace(
            nullif({{ siyu.regexp_group(siyu.phone_without_separators(column), masked_pattern) }}, ''),
            '＊',
            '*'
        )
    end
{%- endmacro %}
