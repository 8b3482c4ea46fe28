{#-
    on-run-start, after register_raw_tables: deletes the rows of erased customers from the tables
    dbt keeps from run to run (var siyu_erasure_history_tables). DuckDB: nothing to do, the erasure
    step deletes them before dbt runs (siyu/erasure/requests.py). Spark: its Parquet
    tables cannot delete rows, so a table holding an erased customer is rewritten without them
    (through a copy, which is dropped). Erased customers are known only by the keyed hash of their
    customer id (raw.erased_customers, handed over with the raw layer), matched with keyed_hash.
-#}
{% macro erase_history_of_erased_customers() -%}
    {{ return(adapter.dispatch('erase_history_of_erased_customers', 'siyu')()) }}
{%- endmacro %}

{% macro default__erase_history_of_erased_customers() -%}
    select 1 as nothing_to_erase
{%- endmacro %}

{% macro spark__erase_history_of_erased_customers() -%}
    {%- if execute -%}
        {%- set location = var('siyu_spark_raw_location') | trim -%}
        {%- set erased_customers = var('siyu_erasure_tables')['customers'] -%}
        {%- do run_query('drop table if exists ' ~ erased_customers) -%}
        {%- do run_query('create table ' ~ erased_customers ~ " using parquet location '" ~ location ~ '/' ~ erased_customers.split('.')[1] ~ "'") -%}
        {%- for table, columns in var('siyu_erasure_history_tables').items() -%}
            {%- set schema, name = table.split('.') -%}
            {%- if adapter.get_relation(database=none, schema=schema, identifier=name) is not none -%}
                {%- set conditions = [] -%}
                {%- for column in columns -%}
                    {%- do conditions.append(siyu.keyed_hash(column) ~ ' in (select customer_id_hash from ' ~ erased_customers ~ ')') -%}
                {%- endfor -%}
                {%- set erased = 'coalesce(' ~ conditions | join(' or ') ~ ', false)' -%}
                {%- set found = run_query('select count(*) from ' ~ table ~ ' where ' ~ erased) -%}
                {%- if found.columns[0].values()[0] > 0 -%}
                    {%- set kept = table ~ '__siyu_erasure_kept' -%}
                    {%- do run_query('drop table if exists ' ~ kept) -%}
                    {%- do run_query('create table ' ~ kept ~ ' using parquet as select * from ' ~ table ~ ' where not ' ~ erased) -%}
                    {%- do run_query('insert overwrite table ' ~ table ~ ' select * from ' ~ kept) -%}
                    {%- do run_query('drop table ' ~ kept) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as erased_customers_history_erased
{%- endmacro %}
