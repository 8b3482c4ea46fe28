{#-
    Every touch between a customer and the brand that siyu can see, as it resolves now, with its
    campaign signal where the source carries one (docs: touchpoint_signals). One row per touch.
    Each channel marked `touches` in the channel registry delivers its touches in one shape
    through its own model int_touchpoints__<channel>, except the shops with an order_touch_type,
    whose orders are touches of that type. Ephemeral: int_touchpoints__changes compares it with
    what int_touchpoints__unioned kept from the last build, which then writes only what changed.
-#}
{{ config(materialized='ephemeral') }}
{%- set touch_columns = [
    'channel', 'touch_type', 'source_record_key', 'id_type', 'id_value', 'touched_at', 'signal_type',
    'signal_value', 'guide_id', 'is_acquisition_touch',
] -%}
with

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

campaign_signals as (
    select * from {{ ref('campaign_signals') }}
),

channel_orders as (
    select * from {{ ref('int_orders__unioned') }}
),

touches as (
    {{ union_channel_models('touchpoints', 'touches', touch_columns, unless='order_touch_type') }}
    union all
    -- shops whose order is the brand's only sight of the buyer: each order is an acquisition touch
    -- of the type the channel registry gives as order_touch_type
    select
        channel,
        {{ channel_property_sql('channel', 'order_touch_type') }} as touch_type,
        order_id as source_record_key,
        buyer_id_type as id_type,
        buyer_id_value as id_value,
        ordered_at as touched_at,
        cast(null as {{ dbt.type_string() }}) as signal_type,
        cast(null as {{ dbt.type_string() }}) as signal_value,
        cast(null as {{ dbt.type_string() }}) as guide_id,
        true as is_acquisition_touch
    from channel_orders
    where {{ channel_property_sql('channel', 'order_touch_type') }} is not null
),

resolved as (
    select
        {{ surrogate_key(['touches.touch_type', 'touches.source_record_key']) }} as touchpoint_key,
        customer_ids.customer_id,
        touches.channel,
        touches.touch_type,
        touches.touched_at,
        touches.signal_type,
        touches.signal_value,
        campaign_signals.campaign_id,
        touches.guide_id,
        touches.is_acquisition_touch,
        touches.id_type,
        touches.source_record_key
    from touches
    inner join customer_ids
        on
            touches.id_type = customer_ids.id_type
            and touches.id_value = customer_ids.id_value
    left join campaign_signals
        on
            touches.signal_type = campaign_signals.signal_type
            and touches.signal_value = campaign_signals.signal_value
    where touches.touched_at is not null
),

-- a customer's devices and login each start an app trail: keep only their first app touch
first_app_touch_per_customer as (
    select
        *,
        case
            when touch_type = 'app_first_seen'
                then row_number() over (
                        partition by customer_id, touch_type order by touched_at, touchpoint_key
                    )
            else 1
        end as touch_rank
    from resolved
),

final as (
    select
        {{ touchpoint_columns() | join(',\n        ') }}
    from first_app_touch_per_customer
    where touch_rank = 1
)

select * from final
