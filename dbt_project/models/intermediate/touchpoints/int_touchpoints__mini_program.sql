{#-
    The mini_program channel's touches in the conformed touch shape (see int_touchpoints__unioned):
    a mini-program registration (the entry page's utm_campaign is the signal).
-#}
with

mp_users as (
    select * from {{ ref('stg_wechat_mp__users') }}
),

final as (
    select
        'mini_program' as channel,
        'mp_registered' as touch_type,
        mp_openid as source_record_key,
        'mp_openid' as id_type,
        mp_openid as id_value,
        registered_at as touched_at,
        'mp_utm_campaign' as signal_type,
        utm_campaign as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        true as is_acquisition_touch
    from mp_users
)

select * from final
