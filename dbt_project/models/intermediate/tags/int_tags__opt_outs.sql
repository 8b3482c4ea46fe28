{#-
    The opt-out list (seed audience_opt_outs) resolved to customers: one row per customer and
    channel they opted out of ('all' for every channel). A row naming an identifier opts out the
    whole customer that identifier belongs to.
-#}
with

opt_outs as (
    select * from {{ ref('audience_opt_outs') }}
),

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

by_identifier as (
    select
        customer_ids.customer_id,
        opt_outs.channel,
        opt_outs.opted_out_at,
        opt_outs.reason
    from opt_outs
    inner join customer_ids
        on
            opt_outs.id_type = customer_ids.id_type
            and opt_outs.id_value = customer_ids.id_value
    where opt_outs.customer_id is null
),

by_customer as (
    select
        customer_id,
        channel,
        opted_out_at,
        reason
    from opt_outs
    where customer_id is not null
),

unioned as (
    select * from by_identifier
    union all
    select * from by_customer
),

per_channel as (
    select
        customer_id,
        channel,
        min(opted_out_at) as opted_out_at,
        min(reason) as reason
    from unioned
    group by customer_id, channel
)

select * from per_channel
