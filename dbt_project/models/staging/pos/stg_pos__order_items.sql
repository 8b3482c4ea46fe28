{#-
    A table, rebuilt on every build, where the staging models that read a raw table are
    incremental: it reads an ephemeral base model, which is computed from the whole raw table
    each time (and, for WeCom, holds phones in clear, so it is never stored); and a re-delivered
    order or contact must also drop the lines, tags or phones its new delivery no longer lists,
    which delete+insert by a row key cannot do.
-#}
{{ config(materialized='table') }}

with

orders as (
    select * from {{ ref('base_pos__orders') }}
),

items as (
    {{ json_array_elements('orders', 'items_json') }}
),

renamed as (
    select
        {{ surrogate_key(['order_no', 'element_position']) }} as order_item_id,
        order_no,
        element_position + 1 as line_number,
        {{ trim_text(json_string('element_value', 'sku')) }} as sku,
        {{ trim_text(json_string('element_value', 'category')) }} as category,
        try_cast({{ json_string('element_value', 'qty') }} as integer) as quantity,
        {{ text_to_yuan(json_string('element_value', 'price')) }} as unit_price,
        member_id,
        store_id,
        ordered_at,
        is_refund,
        source_file,
        source_row_number,
        source_loaded_at
    from items
),

with_line_amount as (
    select
        *,
        cast(quantity * unit_price as {{ money_type() }}) as line_amount
    from renamed
)

select * from with_line_amount
