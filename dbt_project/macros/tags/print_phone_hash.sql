{#-
    Operation: prints the phone_hash of a mobile number, hashed exactly as staging does
    (hash_phone with this deployment's hash key), for the opt-out and manual-tag seeds, which never
    hold a phone in clear:  dbt run-operation print_phone_hash --args '{phone: "138 1234 5678"}'
-#}
{% macro print_phone_hash(phone) -%}
    {%- set hashed = run_query('select ' ~ siyu.hash_phone(siyu.tag_sql_literal(phone | string))) -%}
    {%- set value = hashed.columns[0].values()[0] if execute else none -%}
    {%- if value is none -%}
        {{ exceptions.raise_compiler_error('print_phone_hash: "' ~ phone ~ '" is not a mainland mobile number') }}
    {%- endif -%}
    {{ print(value) }}
{%- endmacro %}
