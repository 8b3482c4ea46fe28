{#-
    Returns one row's share of `total` when `total` is split over the rows of a partition by
    `weight` (the weights of a partition sum to 1), rounded to `scale` decimals so that the shares
    of a partition add up to `total` exactly: every row gets round(total * weight), and the row
    flagged `is_remainder_row` (one per partition) also gets what rounding left over.
    Windowed: call it in a select over the rows of the partitions, not inside a group by.
-#}
{% macro roi_allocated_amount(total, weight, partition_by, is_remainder_row, scale=2) -%}
    {%- set rounded -%}
        cast({{ siyu.round_double('cast(' ~ total ~ ' as double) * ' ~ weight, scale) }} as decimal(18, {{ scale }}))
    {%- endset -%}
    cast(
        {{ rounded }}
        + case
            when {{ is_remainder_row }}
                then
                    cast({{ total }} as decimal(18, {{ scale }}))
                    - sum({{ rounded }}) over (partition by {{ partition_by | join(', ') }})
            else 0
        end
        as decimal(18, {{ scale }})
    )
{%- endmacro %}
