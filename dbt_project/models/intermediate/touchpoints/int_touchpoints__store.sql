{#-
    The store channel's touches in the conformed touch shape (see int_touchpoints__unioned):
    a store membership registration, with the guide who registered the member.
-#}
with

pos_members as (
    select * from {{ ref('stg_pos__members') }}
),

final as (
    select
        'store' as channel,
        'member_registered' as touch_type,
        member_id as source_record_key,
        'member_id' as id_type,
        member_id as id_value,
        registered_at as touched_at,
        cast(null as {{ dbt.type_string() }}) as signal_type,
        cast(null as {{ dbt.type_string() }}) as signal_value,
        guide_id,
        true as is_acquisition_touch
    from pos_members
)

select * from final
