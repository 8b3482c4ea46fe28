{#-
    Returns the HMAC-SHA256 of a text under the deployment's secret hash key, as 64 lower-case hex
    characters, or null for null: the pseudonym of a value that must not be stored in clear but
    must still join (phone_hash, recipient_key, buyer_key_hash). The same text gives the same hash
    on both engines and in Python (siyu/hash_key.py, which holds the SQL's DuckDB twin).

    The key never appears in the SQL: it would be kept in compiled SQL, manifests and logs. SQL
    reads HMAC's inner and outer key blocks at run time: on DuckDB the connection variables that
    siyu's dbt-duckdb plugin sets on every connection (siyu/dbt/hash_key_plugin.py); on
    Spark the session confs spark.siyu.hash_inner/hash_outer (profiles.yml), which Spark
    substitutes into the statement before parsing it. So a model that hashes must be a table or
    ephemeral, never a view: a view stores its statement. A missing key stops the query.
-#}
{% macro keyed_hash(expression) -%}
    {{ return(adapter.dispatch('keyed_hash', 'siyu')(expression)) }}
{%- endmacro %}

{% macro default__keyed_hash(expression) -%}
    case
        when getvariable('siyu_hash_inner') is null or getvariable('siyu_hash_outer') is null
            then error('{{ siyu.missing_hash_key_message() }}')
        when ({{ expression }}) is not null then sha256(
            getvariable('siyu_hash_outer')
            || unhex(sha256(getvariable('siyu_hash_inner') || encode(cast(({{ expression }}) as varchar))))
        )
    end
{%- endmacro %}

{% macro spark__keyed_hash(expression) -%}
    case
        when ({{ expression }}) is not null then sha2(
            concat(
                {{ siyu.spark_hash_key_block('outer') }},
                unhex(sha2(concat({{ siyu.spark_hash_key_block('inner') }}, encode(cast(({{ expression }}) as string), 'UTF-8')), 256))
            ),
            256
        )
    end
{%- endmacro %}

{#- Returns one of HMAC's 64-byte key blocks ('inner' or 'outer') as BINARY from the Spark session's conf; fails the query when it is missing. -#}
{% macro spark_hash_key_block(which) -%}
    case
        when octet_length(unhex('${spark.siyu.hash_{{ which }}}')) = 64 then unhex('${spark.siyu.hash_{{ which }}}')
        else raise_error('{{ siyu.missing_hash_key_message() }}')
    end
{%- endmacro %}

{% macro missing_hash_key_message() -%}
    siyu: no hash key on this connection (DuckDB variables siyu_hash_inner/siyu_hash_outer, Spark confs spark.siyu.hash_inner/hash_outer; see docs/hashing-key.md)
{%- endmacro %}
