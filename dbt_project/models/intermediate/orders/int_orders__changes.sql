{#-
    The orders whose row differs from the one int_orders__resolved kept from the last build: new
    orders, orders with any column of int_orders__unioned changed (a late refund, a re-delivered
    record), orders whose buyer now resolves to another customer (a merge, a split) and orders
    gone from the union. Each with the customer it resolves to now and the one the kept row names
    (null when new), so that the incremental models keyed by order or by customer compute again
    only the orders and the customers a day touched (macro touched_by_order_changes).

    Reads int_orders__resolved's table as the last build left it, by name (macro kept_table): a
    ref() would make the model its own ancestor. Before that table exists every order is new.
    Empty on a full refresh, which builds every order anyway: an
    erasure is one, so the gone orders of an erased person leave no customer id behind here. Empty
    on Spark too, whose Parquet tables cannot delete rows: the orders are rebuilt in full.
-#}
{%- set builds_whole = computes_every_row() -%}
-- depends_on: {{ ref('int_orders__unioned') }}
{% set kept = none -%}
{%- set compared = [] -%}
{%- if execute and not builds_whole -%}
    {%- for column in adapter.get_columns_in_relation(ref('int_orders__unioned')) -%}
        {%- do compared.append(column.name) -%}
    {%- endfor -%}
    {%- do compared.append('customer_id') -%}
    {%- set kept = kept_table('int_orders__resolved', compared) -%}
{%- endif %}

with

current_orders as (
    select * from {{ ref('int_orders__with_customer') }}
),

-- the last build's rows; none (every order new) before the first
kept_orders as (
    select * from {{ kept if kept is not none else 'current_orders where false' }}
),

changes as (
    {{ changed_rows('current_orders', 'kept_orders', 'order_key', compared, ['customer_id']) }}
)

select
    order_key,
    customer_id,
    previous_customer_id,
    is_gone
from changes
{%- if builds_whole %}
where false
{%- endif %}
