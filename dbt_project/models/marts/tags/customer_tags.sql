{{
    config(
        unique_key='customer_tag_id',
        full_refresh=false,
        on_schema_change='fail',
        post_hook="{{ remove_rows_marked_gone('tag_value') }}",
    )
}}
{#-
    Current tags: one row per customer and tag they carry, from the catalogue's rules, guides'
    WeCom tags and manual tags, computed as of as_of_at(). computed_at says since when the
    customer carries the value: the as_of_at() of the build that first computed it (a tag that
    changes value or source, or comes back after it went, starts again). History:
    customer_tag_history (from the log of changes int_customer_tags__recorded).

    Incremental on DuckDB, and never rebuilt (full_refresh off, as the tag log): every build
    computes every customer's tags and compares them with the rows this table kept, by
    (customer_id, tag_key), in one join; only the tags that start, change or go are written (a
    gone tag is inserted with a null value by delete+insert and deleted by the post-hook
    remove_rows_marked_gone: a carried tag's value is never null), and the surrogate key is
    computed for those alone. An unchanged tag keeps its row and its computed_at. Comparing every row is what keeps the table equal to a
    rebuild after any change (a rule edit, an erasure, a merge): nothing is assumed about which
    customers a day touched. A change of its columns fails the build (on_schema_change): kept
    rows would lack a new column's values, so a release that changes them says how to migrate.
    On Spark, whose Parquet tables cannot delete rows, the table is rebuilt whole and computed_at
    is the build's as_of_at().
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

{% if is_incremental() -%}
kept as (
    select
        customer_id,
        tag_key,
        tag_value,
        tag_source
    from {{ this }}
),

-- the tags that start or change (this build's values) and those that go (a null value); the tag
-- log (int_customer_tags__recorded) compares the same way with its latest recorded state
changed as (
    select
        coalesce(unioned.customer_id, kept.customer_id) as customer_id,
        coalesce(unioned.tag_key, kept.tag_key) as tag_key,
        unioned.tag_value,
        coalesce(unioned.tag_source, kept.tag_source) as tag_source,
        unioned.computed_at
    from unioned
    full outer join kept
        on
            unioned.customer_id = kept.customer_id
            and unioned.tag_key = kept.tag_key
    where
        unioned.customer_id is null
        or kept.customer_id is null
        or unioned.tag_value is distinct from kept.tag_value
        or unioned.tag_source is distinct from kept.tag_source
),

{% endif -%}
final as (
    select
        {{ surrogate_key(['customer_id', 'tag_key']) }} as customer_tag_id,
        customer_id,
        tag_key,
        tag_value,
        tag_source,
        computed_at
    from {{ 'changed' if is_incremental() else 'unioned' }}
)

select * from final
