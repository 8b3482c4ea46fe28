{#-
    computes_every_row(): true when this build computes every row of the models that are
    incremental on DuckDB: on Spark, whose Parquet tables cannot delete rows, so those models are
    tables; and on a full refresh. The change lists are empty then, and every check reads every
    row (docs/schedules.md).
-#}
{% macro computes_every_row() -%}
    {{ return(target.type == 'spark' or flags.FULL_REFRESH) }}
{%- endmacro %}
