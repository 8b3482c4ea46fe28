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
