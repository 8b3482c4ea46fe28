{#-
    The channel registry (var siyu_channels in dbt_project.yml) as a table, one row per channel:
    what BI can join for a channel's label and properties.
-#}
with

registered as (
    {{ channel_registry_rows() }}
),

final as (
    select
        channel,
        channel_label,
        is_selling,
        is_touching,
        reach_id_type,
        reach_id_type is not null as is_reachable,
        is_guide_credited,
        registry_order
    from registered
)

select * from final
