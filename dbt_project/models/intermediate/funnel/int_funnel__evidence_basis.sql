{#-
    What the last build of the funnel evidence took in: the as_of_at() it judged against and the
    newest load of app events it read (stg_app__events.source_loaded_at). One row. The next build
    reads it by name (int_funnel__touched_customers): the evidence times that enter or leave with
    a moved as_of, and the app events loaded since, touch customers whose data did not change
    otherwise. Built after the evidence and the stages it describes; a build that fails between
    leaves no incremental basis, so the next build is a full refresh.
-#}
-- depends_on: {{ ref('int_funnel__customer_stages') }}
with

app_events as (
    select * from {{ ref('stg_app__events') }}
),

loaded as (
    select max(source_loaded_at) as app_events_loaded_through
    from app_events
),

final as (
    select
        {{ as_of_at() }} as as_of_at,
        loaded.app_events_loaded_through
    from loaded
)

select * from final
