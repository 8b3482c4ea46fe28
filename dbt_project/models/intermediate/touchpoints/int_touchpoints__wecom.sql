{#-
    The wecom channel's touches in the conformed touch shape (see int_touchpoints__unioned):
    a guide adding the customer as a WeCom contact (the 渠道活码 state is the signal).
-#}
with

wecom_contacts as (
    select * from {{ ref('stg_wecom__contacts') }}
),

final as (
    select
        'wecom' as channel,
        'wecom_contact_added' as touch_type,
        contact_follow_id as source_record_key,
        'wecom_external_userid' as id_type,
        external_userid as id_value,
        added_at as touched_at,
        'wecom_state' as signal_type,
        channel_code as signal_value,
        guide_userid as guide_id,
        true as is_acquisition_touch
    from wecom_contacts
)

select * from final
