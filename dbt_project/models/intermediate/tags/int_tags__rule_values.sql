{#-
    The rule tags of the tag catalogue (models/marts/tags/tag_catalogue.yml), compiled by the
    macros in macros/tags/ into one select per tag over int_tags__customer_features: one row per
    customer and tag they carry (a boolean rule that holds, a value that is not null).
-#}
{%- set rule_tags = siyu.tag_catalogue() | selectattr('source', 'equalto', 'rule') | list -%}

with

features as (
    select * from {{ ref('int_tags__customer_features') }}
),

rule_values as (
    {%- for tag in rule_tags %}
        -- {{ tag.key }} ({{ tag.file }})
        select
            customer_id,
            '{{ tag.key }}' as tag_key,
            {{ siyu.tag_value_sql(tag.sql, tag.value_type) }} as tag_value,
            as_of_at as computed_at
        from features
        {{ 'union all' if not loop.last }}
    {%- endfor %}
    {%- if not rule_tags %}
        select
            customer_id,
            cast(null as {{ dbt.type_string() }}) as tag_key,
            cast(null as {{ dbt.type_string() }}) as tag_value,
            as_of_at as computed_at
        from features
        where false
    {%- endif %}
),

carried as (
    select
        customer_id,
        tag_key,
        tag_value,
        computed_at
    from rule_values
    where tag_value is not null
)

select * from carried
