{#-
    Returns phone_hash: the lower-case hex SHA-256 of salt || the normalised 11-digit mobile
    (normalise_phone), or null when the value is not a mobile. The same person's number typed in any
    shape in any channel gets the same hash, so identity stitching can join on it.
-#}
{% macro hash_phone(column) -%}
    {{ siyu.salted_hash(siyu.normalise_phone(column)) }}
{%- endmacro %}
