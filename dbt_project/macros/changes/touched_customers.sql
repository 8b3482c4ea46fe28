{#-
    Models keyed by customer that compute again only the customers a build touched, from a model
    listing them (customer_id), e.g. int_funnel__touched_customers (docs/schedules.md):

    - remove_touched_customers(touched): a pre-hook deleting the touched customers' rows, which
      the model then appends computed again (incremental_strategy append); a customer who has no
      rows now (merged into another) stays deleted;
    - only_touched_customers(touched, column): the where clause of an import CTE keeping the
      rows of the touched customers.

    Both do nothing on a table build (the first, Spark, a full refresh), which computes everyone.
-#}
{% macro remove_touched_customers(touched) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where customer_id in (select customer_id from {{ touched }})
    {%- endif -%}
{%- endmacro %}

{% macro only_touched_customers(touched, column='customer_id') -%}
    {%- if is_incremental() %}
    where {{ column }} in (select customer_id from {{ touched }})
    {%- endif %}
{%- endmacro %}

{#-
    remove_customers_without_identifiers(): a post-hook of a model keyed by customer that
    writes only the customers a build touched (dim_customer), deleting the customers no
    identifier resolves to now (merged into another, erased). Nothing on a table build.
-#}
{% macro remove_customers_without_identifiers() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where customer_id not in (
            select customer_id from {{ ref('int_identity__customer_ids') }}
            where customer_id is not null
        )
    {%- endif -%}
{%- endmacro %}
