{#-
    Returns the lower-case hex SHA-256 of salt || value (the salt: hash_salt()), or null for a null
    value. Pseudonymises an identifier that must not be stored in clear but must still join.
-#}
{% macro salted_hash(expression) -%}
    case
        when {{ expression }} is not null then {{ siyu.sha256_hex(siyu.hash_salt() ~ ' || ' ~ expression) }}
    end
{%- endmacro %}
