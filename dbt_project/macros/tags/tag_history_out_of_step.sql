{#-
    Pre-hook of the incremental customer_tag_history: empties it when it is out of step with the
    tag log, so that the build takes the whole log in again. Each change of the log that carries a
    tag (is_present) is the start of exactly one period, so up to the last change the table took
    in, the table holds as many periods as the log such changes; they differ when the log was
    built again under the table (its history dropped to start over, or taken over from the former
    dbt snapshot). Nothing on a table build (a full refresh, Spark).
-#}
{% macro tag_history_out_of_step(log) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where (select count(*) from {{ this }}) <> (
            select count(*)
            from {{ log }}
            where is_present and recorded_at <= (
                select max(coalesce(valid_to, valid_from)) from {{ this }}
            )
        )
    {%- endif -%}
{%- endmacro %}
