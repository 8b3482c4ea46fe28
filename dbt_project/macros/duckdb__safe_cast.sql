{#-
    dbt.safe_cast on DuckDB: dbt-duckdb leaves it to dbt's default, a plain cast that fails the
    query on text that is not a number; this root-project implementation (dbt looks here first)
    gives null instead, as Spark's dbt.safe_cast (try_cast) does.
-#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
