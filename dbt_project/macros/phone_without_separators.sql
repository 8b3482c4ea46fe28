{#-
    Returns a phone as typed with its separators removed: spaces (also full-width), tabs, dashes,
    dots, round/square brackets and spreadsheet text guards (' and `), e.g. '+86 (138) 1234-5678'
    -> '+8613812345678'. Empty as null.
    The building block of normalise_phone, phone_kind and mask_phone; never output it.
-#}
{% macro phone_without_separators(column) -%}
    {%- set separators = "[\\s\\x{3000}\\x{feff}\\-－—.()（）\\[\\]'`]" -%}
    nullif({{ siyu.regexp_replace_all('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')', separators, '') }}, '')
{%- endmacro %}
