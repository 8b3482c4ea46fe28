{#-
    Returns a query over `relation` (a CTE name) that keeps one row per natural key: the one from
    the latest load (source_loaded_at), ties broken by the greatest source_file, then the greatest
    source_row_number. The same record may arrive in several overlapping deliveries; the newest
    delivery wins. Written with row_number() in a subquery so it runs on any engine.
-#}
{% macro latest_record(relation, key_columns) -%}
    select {{ siyu.star_except(['_delivery_rank']) }}
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by source_loaded_at desc, source_file desc, source_row_number desc
            ) as _delivery_rank
        from {{ relation }}
    ) as ranked_deliveries
    where _delivery_rank = 1
{%- endmacro %}
