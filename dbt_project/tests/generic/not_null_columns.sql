{#-
    Fails for every listed column that holds a null, with how many rows: the not_null test of each
    column, in one scan of the model (one dbt node instead of one a column: a dbt test costs about
    30-40 ms of dbt's own work however small the table, and this project has hundreds of them).
    Declared once per model, listing the columns that must never be null:

        data_tests:
          - not_null_columns:
              arguments:
                columns: [customer_id, tag_key]
-#}
{% test not_null_columns(model, columns) %}

with

null_counts as (
    select
        {%- for column in columns %}
        count(*) - count({{ column }}) as nulls_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}
),

columns_with_nulls as (
    {%- for column in columns %}
    select
        '{{ column }}' as column_name,
        nulls_{{ loop.index }} as null_rows
    from null_counts
    where nulls_{{ loop.index }} > 0
    {{ "union all" if not loop.last }}
    {%- endfor %}
)

select * from columns_with_nulls

{% endtest %}
