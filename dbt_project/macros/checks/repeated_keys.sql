{#-
    repeated_keys(model, columns, written, null_parts_fail): the select of the key tests
    (primary_key, unique_combination): every value of `columns` that occurs more than once, with
    how many rows, and when null_parts_fail every value with a null part too. `written`: on an
    incremental build, only the keys of the rows it wrote (macro keys_written_join).
-#}
{% macro repeated_keys(model, columns, written=none, null_parts_fail=false) -%}
select
    {%- for column in columns %}
    keyed_rows.{{ column }},
    {%- endfor %}
    count(*) as occurrences
from (select * from {{ model }}) as keyed_rows
{{- siyu.keys_written_join(model, columns, written) }}
group by
    {%- for column in columns %}
    keyed_rows.{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
having
    count(*) > 1
    {%- for column in columns if null_parts_fail %}
    or keyed_rows.{{ column }} is null
    {%- endfor %}
{%- endmacro %}

{#-
    keys_written_join(model, columns, written): the join of a key test that keeps the rows whose
    key a written row has (null parts match null parts), or nothing when every row must be read.
-#}
{% macro keys_written_join(model, columns, written) -%}
    {%- set condition = siyu.written_rows(written) -%}
    {%- if condition is not none %}
    inner join (
        select distinct {{ columns | join(', ') }}
        from (select * from {{ model }}) as model_rows
        where {{ condition }}
    ) as written_keys
        on
        {%- for column in columns %}
            {{ 'and ' if not loop.first }}keyed_rows.{{ column }} is not distinct from written_keys.{{ column }}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}
