{#-
    Each customer's home store: the store where their first membership was registered, else the
    store they bought in most (counted orders; ties go to the lower store id). One row per customer
    with a membership or a store order. dim_customer and the tag features both read it, so they
    always name the same store.
-#}
with

customer_ids as (
    select * from {{ ref('int_identity__customer_ids') }}
),

pos_members as (
    select * from {{ ref('stg_pos__members') }}
),

orders as (
    select * from {{ ref('int_orders__resolved') }}
),

memberships as (
    select
        customer_ids.customer_id,
        pos_members.register_store_id,
        pos_members.guide_id,
        row_number() over (
            partition by customer_ids.customer_id
            order by pos_members.registered_at asc, pos_members.member_id asc
        ) as membership_rank
    from pos_members
    inner join customer_ids
        on
            customer_ids.id_type = 'member_id'
            and pos_members.member_id = customer_ids.id_value
),

store_orders as (
    select
        customer_id,
        store_id,
        row_number() over (
            partition by customer_id order by count(*) desc, store_id asc
        ) as store_rank
    from orders
    where customer_id is not null and store_id is not null and is_counted_order
    group by customer_id, store_id
),

first_memberships as (
    select
        customer_id,
        register_store_id,
        guide_id
    from memberships
    where membership_rank = 1
),

favourite_stores as (
    select
        customer_id,
        store_id
    from store_orders
    where store_rank = 1
),

final as (
    select
        coalesce(first_memberships.customer_id, favourite_stores.customer_id) as customer_id,
        first_memberships.customer_id is not null as has_membership,
        first_memberships.register_store_id as membership_store_id,
        first_memberships.guide_id as membership_guide_id,
        favourite_stores.store_id as favourite_store_id,
        coalesce(first_memberships.register_store_id, favourite_stores.store_id) as home_store_id
    from first_memberships
    full outer join favourite_stores
        on first_memberships.customer_id = favourite_stores.customer_id
)

select * from final
