{#-
    The douyin channel's touches in the conformed touch shape (see int_touchpoints__unioned):
    a Douyin shop order (the live room it came from is the signal).
-#}
with

douyin_order_items as (
    select * from {{ ref('stg_douyin__order_items') }}
),

final as (
    select
        'douyin' as channel,
        'douyin_order' as touch_type,
        main_order_id as source_record_key,
        'douyin_buyer' as id_type,
        max(buyer_key_hash) as id_value,
        min(submitted_at) as touched_at,
        'douyin_live_room_id' as signal_type,
        max(live_room_id) as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        true as is_acquisition_touch
    from douyin_order_items
    group by main_order_id
)

select * from final
