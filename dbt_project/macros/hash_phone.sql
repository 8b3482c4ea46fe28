{#-
    Returns phone_hash: the keyed hash (keyed_hash, HMAC-SHA256 under the deployment's secret key)
    of the normalised 11-digit mobile (normalise_phone), or null when the value is not a mobile.
    The same person's number typed in any shape in any channel gets the same hash, so identity
    stitching can join on it.
-#}
{% macro hash_phone(column) -%}
    {{ siyu.keyed_hash(siyu.normalise_phone(column)) }}
{%- endmacro %}
