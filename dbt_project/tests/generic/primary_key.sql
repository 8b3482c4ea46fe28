{#-
    The model's primary key, in one scan: fails for every value of `columns` that occurs more than
    once or has a null part, with how many rows. It replaces a unique (or unique_combination) and
    a not_null test of the key (one dbt node instead of two or more: a dbt test costs about
    30-40 ms of dbt's own work however small the table). Every mart declares its primary key here
    and nowhere else (siyu/marts.py reads it for the audit and the docs):

        data_tests:
          - primary_key:
              arguments:
                columns: [customer_id, tag_key]
-#}
{% test primary_key(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having
    count(*) > 1
    {%- for column in columns %}
    or {{ column }} is null
    {%- endfor %}

{% endtest %}
