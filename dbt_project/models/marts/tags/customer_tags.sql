{#-
    Current tags: one row per customer and tag they carry, from the catalogue's rules, guides'
    WeCom tags and manual tags, computed as of computed_at (as_of_at()). History:
    customer_tag_history (from the log of changes int_customer_tags__recorded).
-#}
with

rule_values as (
    select * from {{ ref('int_tags__rule_values') }}
),

wecom_values as (
    select * from {{ ref('int_tags__wecom_values') }}
),

manual_values as (
    select * from {{ ref('int_tags__manual_values') }}
),

unioned as (
    select
        customer_id,
        tag_key,
        tag_value,
        'rule' as tag_source,
        computed_at
    from rule_values
    union all
    select
        customer_id,
        tag_key,
        tag_value,
        'wecom' as tag_source,
        computed_at
    from wecom_values
    union all
    select
        customer_id,
        tag_key,
        tag_value,
        'manual' as tag_source,
        computed_at
    from manual_values
),

final as (
    select
        {{ surrogate_key(['customer_id', 'tag_key']) }} as customer_tag_id,
        customer_id,
        tag_key,
        tag_value,
        tag_source,
        computed_at
    from unioned
)

select * from final
