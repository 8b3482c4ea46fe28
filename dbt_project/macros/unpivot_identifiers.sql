{#-
    Returns one row per identifier of each combination built by identifier_combinations:
    source, record_key, id_type, id_value, junk_reason, first_seen_at, last_seen_at, records.
-#}
{% macro unpivot_identifiers(combinations, source, identifiers) -%}
    {%- for identifier in identifiers %}
    select
        '{{ source }}' as source,
        record_key,
        '{{ identifier.id_type }}' as id_type,
        id_value_{{ loop.index }} as id_value,
        junk_reason_{{ loop.index }} as junk_reason,
        first_seen_at,
        last_seen_at,
        records
    from {{ combinations }}
    where id_value_{{ loop.index }} is not null
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
