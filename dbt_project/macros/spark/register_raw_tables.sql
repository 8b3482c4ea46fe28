{#-
    on-run-start: makes every source table of the schema `raw` readable by the target engine.
    DuckDB: nothing to do, ingestion loads raw into the same database. Spark: ingestion writes each
    raw table as Parquet to <siyu_spark_raw_location>/<table>/ (siyu/spark.py) and this
    hook (re)creates raw.<table> as an external table over that folder, so a run always reads the
    files of the latest export; dropping an external table leaves its files alone.
-#}
{% macro register_raw_tables() -%}
    {{ return(adapter.dispatch('register_raw_tables', 'siyu')()) }}
{%- endmacro %}

{% macro default__register_raw_tables() -%}
    select 1 as nothing_to_register
{%- endmacro %}

{% macro spark__register_raw_tables() -%}
    {%- set location = var('siyu_spark_raw_location') | trim -%}
    {%- if execute -%}
        {%- set tables = [] -%}
        {%- for source in graph.sources.values() if source.schema == 'raw' and source.identifier not in tables -%}
            {%- do tables.append(source.identifier) -%}
        {%- endfor -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for table in tables | sort -%}
            {%- do run_query('drop table if exists raw.' ~ table) -%}
            {%- do run_query("create table raw." ~ table ~ " using parquet location '" ~ location ~ "/" ~ table ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as raw_tables_registered
{%- endmacro %}
