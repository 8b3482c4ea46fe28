{#-
    The official_account channel's touches in the conformed touch shape (see int_touchpoints__unioned):
    a follow of the official account (the parametric QR code's scene is the signal).
-#}
with

oa_followers as (
    select * from {{ ref('stg_wechat_oa__followers') }}
),

final as (
    select
        'official_account' as channel,
        'oa_followed' as touch_type,
        oa_openid as source_record_key,
        'oa_openid' as id_type,
        oa_openid as id_value,
        subscribed_at as touched_at,
        'oa_qr_scene_str' as signal_type,
        qr_scene_str as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        true as is_acquisition_touch
    from oa_followers
    where subscribed_at is not null
)

select * from final
