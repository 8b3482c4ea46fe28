{#-
    Orders of every selling channel in one shape, one row per order, with the identifier of the
    buyer as the channel knows them (resolved to a customer in fct_orders). Each channel marked
    `sells` in the channel registry (var siyu_channels) delivers its orders in this shape through
    its own model int_orders__<channel>; this model unions them (macro union_channel_models).
    gross_amount is what was paid; net_amount is gross less refunds (from staging);
    refund_amount = gross - net. Unpaid and cancelled-before-payment orders have gross 0.
-#}
{%- set order_columns = [
    'channel', 'order_id', 'buyer_id_type', 'buyer_id_value', 'store_id', 'guide_id', 'ordered_at',
    'paid_at', 'is_paid', 'is_cancelled', 'gross_amount', 'net_amount', 'coupon_id',
] -%}

with

unioned as (
    {{ union_channel_models('orders', 'sells', order_columns) }}
),

final as (
    select
        channel || ':' || order_id as order_key,
        channel,
        order_id,
        buyer_id_type,
        buyer_id_value,
        store_id,
        guide_id,
        ordered_at,
        paid_at,
        is_paid,
        is_cancelled,
        cast(gross_amount as {{ money_type() }}) as gross_amount,
        cast(gross_amount - net_amount as {{ money_type() }}) as refund_amount,
        cast(net_amount as {{ money_type() }}) as net_amount,
        coupon_id
    from unioned
)

select * from final
