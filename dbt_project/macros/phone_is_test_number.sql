{#-
    Returns true when a normalised 11-digit mobile is a placeholder people type instead of their
    own number: one of var siyu_test_phone_numbers, or a number whose last eight digits are all the
    same (13800000000, 13988888888). False for null.
-#}
{% macro phone_is_test_number(mobile) -%}
    {%- set repeated_tail_digits = 8 -%}
    coalesce(
        {{ mobile }} in (
            {%- for number in var('siyu_test_phone_numbers') %}'{{ number }}'{{ ', ' if not loop.last }}{% endfor -%}
        )
        or length(replace(right({{ mobile }}, {{ repeated_tail_digits }}), right({{ mobile }}, 1), '')) = 0,
        false
    )
{%- endmacro %}
