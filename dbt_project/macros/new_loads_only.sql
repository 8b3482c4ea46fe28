{#-
    The where clause of an incremental staging model's import CTE: on an incremental build, only
    the raw records of loads newer than any the model already holds. Ingestion stamps each load
    with a later _loaded_at than every load before it in that raw table, and a staging row keeps
    its record's stamp (source_loaded_at), so the newest stamp in the model is the last load it
    has read. Records of that load that lost to a newer delivery are gone from the model, but the
    newer delivery's stamp is then larger still. Nothing on a full build: the whole history.
-#}
{% macro new_loads_only(loaded_at='_loaded_at') -%}
    {%- if is_incremental() %}
    where {{ loaded_at }} > (
        select coalesce(max(source_loaded_at), cast('1900-01-01 00:00:00' as timestamp))
        from {{ this }}
    )
    {%- endif %}
{%- endmacro %}
