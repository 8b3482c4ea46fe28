{#- Fails for every non-null value of the column that does not match the regular expression. -#}
{% test matches_pattern(model, column_name, pattern) %}
    select {{ column_name }} as failing_value
    from {{ model }}
    where
        {{ column_name }} is not null
        and not {{ siyu.text_matches('cast(' ~ column_name ~ ' as ' ~ dbt.type_string() ~ ')', pattern) }}
{% endtest %}
