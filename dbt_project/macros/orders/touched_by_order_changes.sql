{#-
    What a day's order changes (int_orders__changes) touch, for the incremental models built from
    int_orders__resolved (docs/schedules.md):

    - touched_by_order_changes(order_key, customer_id): a condition true for an order that changed
      or belongs to a customer who gained, lost or changed an order, now or before the change
      (all of that customer's orders: their sequence numbers may move);
    - customers_touched_by_order_changes(): those customers' ids, as a select;
    - remove_gone_orders(): a post-hook deleting the orders gone from the union (delete+insert
      replaces only the keys it writes);
    - remove_customers_without_orders(): a post-hook deleting the touched customers no order
      resolves to now.

    The post-hooks do nothing on a table build (Spark, a full refresh).
-#}
{% macro customers_touched_by_order_changes() -%}
    {{ customers_touched_by(ref('int_orders__changes')) }}
{%- endmacro %}

{% macro touched_by_order_changes(order_key, customer_id) -%}
    (
        {{ order_key }} in (select order_key from {{ ref('int_orders__changes') }})
        or {{ customer_id }} in ({{ customers_touched_by_order_changes() }})
    )
{%- endmacro %}

{% macro remove_gone_orders() -%}
    {{ remove_gone_rows(ref('int_orders__changes'), 'order_key') }}
{%- endmacro %}

{#- post-hook of int_customer__order_summary: the touched customers no order resolves to now -#}
{% macro remove_customers_without_orders() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where
            customer_id in ({{ customers_touched_by_order_changes() }})
            and customer_id not in (
                select customer_id from {{ ref('int_orders__resolved') }}
                where customer_id is not null
            )
    {%- endif -%}
{%- endmacro %}
