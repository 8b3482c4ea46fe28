{#-
    The app events that are funnel evidence: an AppStart (app_start) and a Share carrying a
    share_source (app_share), with the identifier that resolves them to a customer (the login,
    else the device). Ephemeral: read by int_funnel__stage_evidence and by
    int_funnel__touched_customers.
-#}
{{ config(materialized='ephemeral') }}

with

app_events as (
    select * from {{ ref('stg_app__events') }}
),

final as (
    select
        event_key,
        case when event_name = 'AppStart' then 'app_start' else 'app_share' end as evidence_type,
        event_at,
        case when app_user_id is not null then 'app_user_id' else 'device_id' end as id_type,
        coalesce(app_user_id, device_id) as id_value,
        source_loaded_at
    from app_events
    where
        event_name = 'AppStart'
        or (event_name = 'Share' and share_source is not null)
)

select * from final
