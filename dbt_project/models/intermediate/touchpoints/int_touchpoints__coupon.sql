{#-
    The coupon channel's touches in the conformed touch shape (see int_touchpoints__unioned):
    a WeChat Pay coupon issued (its stock is the signal); never an acquisition.
-#}
with

wechatpay_coupons as (
    select * from {{ ref('stg_wechatpay__coupons') }}
),

final as (
    select
        'coupon' as channel,
        'coupon_issued' as touch_type,
        coupon_id as source_record_key,
        'mp_openid' as id_type,
        mp_openid as id_value,
        issued_at as touched_at,
        'coupon_stock_id' as signal_type,
        stock_id as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        false as is_acquisition_touch
    from wechatpay_coupons
)

select * from final
