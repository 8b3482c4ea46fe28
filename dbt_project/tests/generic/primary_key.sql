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

    On a table kept from run to run, `written` names the rows a build wrote (with the placeholder
    of macros/checks/get_where_subquery.sql): an incremental build counts only their keys.
-#}
{% test primary_key(model, columns, written=none) %}

{{ siyu.repeated_keys(model, columns, written, null_parts_fail=true) }}

{% endtest %}
