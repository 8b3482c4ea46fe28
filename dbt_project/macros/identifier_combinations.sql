{#-
    Returns a select over `relation` with one row per distinct combination of the given identifier
    columns (and their junk reasons), with an example record key, when the combination was first
    and last seen and in how many records. Used by int_identity__observations, so a source with
    millions of records (app events, payments) contributes one row per combination, not per record.

    identifiers: list of {'id_type': ..., 'column': ..., 'junk_reason': SQL expression or none}
-#}
{% macro identifier_combinations(relation, record_key, seen_at, identifiers) -%}
    select
        {%- for identifier in identifiers %}
        {{ identifier.column }} as id_value_{{ loop.index }},
        {{ identifier.get('junk_reason') or 'cast(null as ' ~ dbt.type_string() ~ ')' }} as junk_reason_{{ loop.index }},
        {%- endfor %}
        min({{ record_key }}) as record_key,
        min({{ seen_at }}) as first_seen_at,
        max({{ seen_at }}) as last_seen_at,
        count(*) as records
    from {{ relation }}
    group by
        {%- for identifier in identifiers %}
        {{ identifier.column }},
        {{ identifier.get('junk_reason') or 'cast(null as ' ~ dbt.type_string() ~ ')' }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}
