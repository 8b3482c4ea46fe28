{#-
    Every audience of audiences.yml (dbt exposures with meta siyu_audience): its expression over
    tags, the SQL it compiles to, its channels in order of preference, and how many customers it
    holds now (matched by the expression, and members: reachable and not opted out).
-#}
{%- set audiences = siyu.audience_catalogue(siyu.tag_catalogue()).audiences -%}

with

audience_members as (
    select * from {{ ref('audience_members') }}
),

defined as (
    {%- for audience in audiences %}
        select
            '{{ audience.key }}' as audience_key,
            {{ siyu.tag_sql_literal(audience.label) }} as audience_label,
            {{ siyu.tag_sql_literal(audience.description) }} as description,
            {{ siyu.tag_sql_literal(audience.owner) }} as audience_owner,
            {{ siyu.tag_sql_literal(audience.expression) }} as audience_expression,
            {{ siyu.tag_sql_literal(audience.sql) }} as compiled_sql,
            '{{ audience.channels | join(",") }}' as channels,
            '{{ audience.delivery }}' as delivery,
            {{ siyu.tag_sql_literal(audience.file) }} as defined_in
        {{ 'union all' if not loop.last }}
    {%- endfor %}
    {%- if not audiences %}
        select
            cast(null as {{ dbt.type_string() }}) as audience_key,
            cast(null as {{ dbt.type_string() }}) as audience_label,
            cast(null as {{ dbt.type_string() }}) as description,
            cast(null as {{ dbt.type_string() }}) as audience_owner,
            cast(null as {{ dbt.type_string() }}) as audience_expression,
            cast(null as {{ dbt.type_string() }}) as compiled_sql,
            cast(null as {{ dbt.type_string() }}) as channels,
            cast(null as {{ dbt.type_string() }}) as delivery,
            cast(null as {{ dbt.type_string() }}) as defined_in
        where false
    {%- endif %}
),

member_counts as (
    select
        audience_key,
        count(distinct customer_id) as members_count,
        count(*) as member_rows
    from audience_members
    group by audience_key
),

final as (
    select
        defined.audience_key,
        defined.audience_label,
        defined.description,
        defined.audience_owner,
        defined.audience_expression,
        defined.compiled_sql,
        defined.channels,
        defined.delivery,
        defined.defined_in,
        coalesce(member_counts.members_count, 0) as members_count,
        coalesce(member_counts.member_rows, 0) as member_rows
    from defined
    left join member_counts
        on defined.audience_key = member_counts.audience_key
)

select * from final
