{#-
    Fails for every group of `group_by` where the sum of `column` differs from `expected` by more
    than `tolerance`. `expected` is an SQL expression constant within a group (a column repeated on
    every row of the group, or a number such as 1 for weights).
-#}
{% test roi_group_sum_equals(model, group_by, column, expected, tolerance=0) %}

with

grouped as (
    select
        {{ group_by | join(', ') }},
        sum({{ column }}) as group_sum,
        min({{ expected }}) as expected_min,
        max({{ expected }}) as expected_max
    from {{ model }}
    group by {{ group_by | join(', ') }}
)

select *
from grouped
where
    expected_min != expected_max
    or abs(group_sum - expected_max) > {{ tolerance }}

{% endtest %}
