{#-
    The app channel's touches in the conformed touch shape (see int_touchpoints__unioned):
    an app user's first event, and every later event that carries a campaign (utm_campaign).
-#}
with

app_events as (
    select * from {{ ref('stg_app__events') }}
),

app_touches as (
    select
        event_key as source_record_key,
        coalesce(app_user_id, device_id) as id_value,
        case when app_user_id is not null then 'app_user_id' else 'device_id' end as id_type,
        event_at as touched_at,
        utm_campaign,
        row_number() over (
            partition by coalesce(app_user_id, device_id) order by event_at, event_key
        ) as touch_sequence
    from app_events
    where coalesce(app_user_id, device_id) is not null
),

final as (
    select
        'app' as channel,
        case when touch_sequence = 1 then 'app_first_seen' else 'app_campaign_visit' end as touch_type,
        source_record_key,
        id_type,
        id_value,
        touched_at,
        'app_utm_campaign' as signal_type,
        utm_campaign as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        true as is_acquisition_touch
    from app_touches
    where touch_sequence = 1 or utm_campaign is not null
)

select * from final
