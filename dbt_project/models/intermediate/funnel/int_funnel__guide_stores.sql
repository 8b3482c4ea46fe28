{#-
    Every guide siyu knows (WeCom guides, POS order and membership guides) with their home store:
    the store where they served the most store orders and memberships, ties to the lower store id.
    A WeCom guide never seen at a till has no home store.
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

pos_members as (
    select * from {{ ref('stg_pos__members') }}
),

wecom_contacts as (
    select * from {{ ref('stg_wecom__contacts') }}
),

store_work as (
    select
        guide_id,
        store_id
    from orders
    where guide_id is not null and store_id is not null
    union all
    select
        guide_id,
        register_store_id as store_id
    from pos_members
    where guide_id is not null and register_store_id is not null
),

store_ranked as (
    select
        guide_id,
        store_id,
        count(*) as records,
        row_number() over (
            partition by guide_id order by count(*) desc, store_id asc
        ) as store_rank
    from store_work
    group by guide_id, store_id
),

guides as (
    select guide_id from store_work
    union
    select guide_userid as guide_id from wecom_contacts
),

final as (
    select
        guides.guide_id,
        store_ranked.store_id as home_store_id,
        coalesce(store_ranked.records, 0) as store_records
    from guides
    left join store_ranked
        on guides.guide_id = store_ranked.guide_id and store_ranked.store_rank = 1
)

select * from final
