{#-
    The sms channel's touches in the conformed touch shape (see int_touchpoints__unioned):
    a delivered SMS (its OutId carries the campaign); reaches people already known, so never an acquisition.
-#}
with

sms_sends as (
    select * from {{ ref('stg_sms__sends') }}
),

final as (
    select
        'sms' as channel,
        'sms_delivered' as touch_type,
        sms_send_id as source_record_key,
        'phone_hash' as id_type,
        phone_hash as id_value,
        sent_at as touched_at,
        'sms_out_id' as signal_type,
        out_id as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        false as is_acquisition_touch
    from sms_sends
    where is_delivered
)

select * from final
