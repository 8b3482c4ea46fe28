{#-
    Returns the hash salt as a quoted SQL string literal: var siyu_hash_salt, which defaults to the
    environment variable SIYU_HASH_SALT (see dbt_project.yml).
-#}
{% macro hash_salt() -%}
    '{{ var("siyu_hash_salt") | replace("'", "''") }}'
{%- endmacro %}
