{#-
    Who is in each audience and where to send: one row per audience, customer and channel. An
    audience (a dbt exposure in audiences.yml) is a boolean expression over tags; its members are
    the customers it holds for who are reachable on one of its channels and did not opt out
    (int_tags__reach_ids), each on the first such channel in the audience's order
    (delivery first_reachable) or on all of them (every_reachable).
-#}
{%- set catalogue = siyu.audience_catalogue(siyu.tag_catalogue()) -%}
{%- set audiences = catalogue.audiences -%}

with

features as (
    select * from {{ ref('int_tags__customer_features') }}
),

customer_tags as (
    select * from {{ ref('customer_tags') }}
),

reach_ids as (
    select * from {{ ref('int_tags__reach_ids') }}
),

-- one row per customer, one column per tag the audiences use (false / null when not carried)
tag_matrix as (
    select
        {%- for column in catalogue.columns %}
            {%- if column.value_type == 'boolean' %}
                max(case when customer_tags.tag_key = {{ siyu.tag_sql_literal(column.key) }} then 1 else 0 end) = 1
                    as {{ column.alias }},
            {%- else %}
                {{ siyu.tag_typed_value_sql(
                    'max(case when customer_tags.tag_key = ' ~ siyu.tag_sql_literal(column.key)
                    ~ ' then customer_tags.tag_value end)', column.value_type) }} as {{ column.alias }},
            {%- endif %}
        {%- endfor %}
        features.customer_id,
        features.home_store_id,
        features.as_of_at
    from features
    left join customer_tags
        on features.customer_id = customer_tags.customer_id
    group by features.customer_id, features.home_store_id, features.as_of_at
),

matched as (
    {%- for audience in audiences %}
        -- {{ audience.key }} ({{ audience.file }}): {{ audience.expression | replace('\n', ' ') }}
        select
            '{{ audience.key }}' as audience_key,
            customer_id,
            home_store_id,
            as_of_at
        from tag_matrix
        where {{ audience.sql }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}
    {%- if not audiences %}
        select
            cast(null as {{ dbt.type_string() }}) as audience_key,
            customer_id,
            home_store_id,
            as_of_at
        from tag_matrix
        where false
    {%- endif %}
),

audience_channels as (
    {%- for audience in audiences %}
        {%- set audience_loop = loop %}
        {%- for channel in audience.channels %}
            select
                '{{ audience.key }}' as audience_key,
                '{{ channel }}' as channel,
                {{ loop.index }} as channel_preference,
                '{{ audience.delivery }}' as delivery
            {{ 'union all' if not (loop.last and audience_loop.last) }}
        {%- endfor %}
    {%- endfor %}
    {%- if not audiences %}
        select
            cast(null as {{ dbt.type_string() }}) as audience_key,
            cast(null as {{ dbt.type_string() }}) as channel,
            0 as channel_preference,
            cast(null as {{ dbt.type_string() }}) as delivery
        where false
    {%- endif %}
),

reachable as (
    select
        matched.audience_key,
        matched.customer_id,
        reach_ids.channel,
        reach_ids.reach_id_type,
        reach_ids.reach_id,
        reach_ids.owner_guide_id,
        matched.home_store_id,
        matched.as_of_at,
        audience_channels.delivery,
        row_number() over (
            partition by matched.audience_key, matched.customer_id
            order by audience_channels.channel_preference asc
        ) as channel_rank
    from matched
    inner join audience_channels
        on matched.audience_key = audience_channels.audience_key
    inner join reach_ids
        on
            matched.customer_id = reach_ids.customer_id
            and audience_channels.channel = reach_ids.channel
    where reach_ids.is_reachable
),

final as (
    select
        {{ surrogate_key(['audience_key', 'customer_id', 'channel']) }} as audience_member_id,
        audience_key,
        customer_id,
        channel,
        reach_id_type,
        reach_id,
        owner_guide_id,
        home_store_id,
        as_of_at as computed_at
    from reachable
    where delivery = 'every_reachable' or channel_rank = 1
)

select * from final
