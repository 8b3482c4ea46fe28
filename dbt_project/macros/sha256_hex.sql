{#- Returns the SHA-256 digest of a text as 64 lower-case hex characters. -#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'siyu')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}
