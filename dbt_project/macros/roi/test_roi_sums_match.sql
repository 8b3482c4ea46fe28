{#-
    Fails for every group (of the `group_by` columns, present in both relations) where the sum of
    `column` in the model differs from the sum of `compare_column` in `compare_to` by more than
    `tolerance`; a group missing on either side counts as 0. `filter` and `compare_filter`
    restrict the rows summed on each side.
-#}
{% test roi_sums_match(
    model, group_by, column, compare_to, compare_column, filter='1 = 1', compare_filter='1 = 1', tolerance=0
) %}

with

model_sums as (
    select
        {{ group_by | join(', ') }},
        sum({{ column }}) as model_sum
    from {{ model }}
    where {{ filter }}
    group by {{ group_by | join(', ') }}
),

compare_sums as (
    select
        {{ group_by | join(', ') }},
        sum({{ compare_column }}) as compare_sum
    from {{ compare_to }}
    where {{ compare_filter }}
    group by {{ group_by | join(', ') }}
),

compared as (
    select
        {%- for column_name in group_by %}
        coalesce(model_sums.{{ column_name }}, compare_sums.{{ column_name }}) as {{ column_name }},
        {%- endfor %}
        coalesce(model_sums.model_sum, 0) as model_sum,
        coalesce(compare_sums.compare_sum, 0) as compare_sum
    from model_sums
    full outer join compare_sums
        on
            {%- for column_name in group_by %}
            model_sums.{{ column_name }} = compare_sums.{{ column_name }}
            {%- if not loop.last %} and {% endif %}
            {%- endfor %}
)

select *
from compared
where abs(model_sum - compare_sum) > {{ tolerance }}

{% endtest %}
