{#-
    Every tag key: the catalogue's rule and manual tags (YAML: tag_catalogue.yml, compiled by
    macros/tags/) and the WeCom corporate tags guides use, with how each is computed and how many
    customers carry it now.
-#}
{%- set catalogue = siyu.tag_catalogue() -%}

with

customer_tags as (
    select * from {{ ref('customer_tags') }}
),

corp_tags as (
    select * from {{ ref('stg_wecom__corp_tags') }}
),

wecom_values as (
    select * from {{ ref('int_tags__wecom_values') }}
),

catalogued as (
    {%- for tag in catalogue %}
        select
            '{{ tag.key }}' as tag_key,
            '{{ tag.source }}' as tag_source,
            '{{ tag.value_type }}' as value_type,
            {{ siyu.tag_sql_literal(tag.group) }} as tag_group,
            {{ siyu.tag_sql_literal(tag.description) }} as description,
            {{ siyu.tag_sql_literal(tag.owner) }} as tag_owner,
            {{ siyu.tag_sql_literal(tag.rule) }} as tag_rule,
            {{ siyu.tag_sql_literal(tag.sql) }} as compiled_sql,
            {{ siyu.tag_sql_literal(tag.allowed_values | join(', ') if tag.allowed_values else none) }}
                as allowed_values,
            {{ siyu.tag_sql_literal(tag.file) }} as defined_in,
            '{{ tag.history }}' as history,
            cast(null as {{ dbt.type_string() }}) as wecom_tag_id,
            false as is_deleted
        {{ 'union all' if not loop.last }}
    {%- endfor %}
    {%- if not catalogue %}
        select
            cast(null as {{ dbt.type_string() }}) as tag_key,
            cast(null as {{ dbt.type_string() }}) as tag_source,
            cast(null as {{ dbt.type_string() }}) as value_type,
            cast(null as {{ dbt.type_string() }}) as tag_group,
            cast(null as {{ dbt.type_string() }}) as description,
            cast(null as {{ dbt.type_string() }}) as tag_owner,
            cast(null as {{ dbt.type_string() }}) as tag_rule,
            cast(null as {{ dbt.type_string() }}) as compiled_sql,
            cast(null as {{ dbt.type_string() }}) as allowed_values,
            cast(null as {{ dbt.type_string() }}) as defined_in,
            cast(null as {{ dbt.type_string() }}) as history,
            cast(null as {{ dbt.type_string() }}) as wecom_tag_id,
            false as is_deleted
        where false
    {%- endif %}
),

wecom_library as (
    select
        'wecom:' || coalesce(tag_group_name, '') || '/' || coalesce(tag_name, tag_id) as tag_key,
        tag_group_name,
        tag_id,
        is_deleted
    from corp_tags
),

wecom_keys as (
    select
        tag_key,
        min(tag_group_name) as tag_group_name,
        min(tag_id) as wecom_tag_id,
        min(case when is_deleted then 1 else 0 end) = 1 as is_deleted
    from (
        select
            tag_key,
            tag_group_name,
            tag_id,
            is_deleted
        from wecom_library
        union all
        select
            tag_key,
            cast(null as {{ dbt.type_string() }}) as tag_group_name,
            wecom_tag_id as tag_id,
            false as is_deleted
        from wecom_values
    ) as wecom_tags
    group by tag_key
),

wecom_defined as (
    select
        tag_key,
        'wecom' as tag_source,
        'boolean' as value_type,
        'wecom:' || coalesce(tag_group_name, 'unknown') as tag_group,
        'WeCom corporate tag applied by guides to their contacts' as description,
        'wecom guides' as tag_owner,
        cast(null as {{ dbt.type_string() }}) as tag_rule,
        cast(null as {{ dbt.type_string() }}) as compiled_sql,
        cast(null as {{ dbt.type_string() }}) as allowed_values,
        'WeCom corp tag library (stg_wecom__corp_tags) and contacts'' tag_id lists' as defined_in,
        'changes' as history,
        wecom_tag_id,
        is_deleted
    from wecom_keys
),

defined as (
    select * from catalogued
    union all
    select * from wecom_defined
),

carried as (
    select
        tag_key,
        count(*) as customers_count
    from customer_tags
    group by tag_key
),

final as (
    select
        defined.tag_key,
        defined.tag_source,
        defined.value_type,
        defined.tag_group,
        defined.description,
        defined.tag_owner,
        defined.tag_rule,
        defined.compiled_sql,
        defined.allowed_values,
        defined.defined_in,
        defined.history,
        defined.wecom_tag_id,
        defined.is_deleted,
        coalesce(carried.customers_count, 0) as customers_count
    from defined
    left join carried
        on defined.tag_key = carried.tag_key
)

select * from final
