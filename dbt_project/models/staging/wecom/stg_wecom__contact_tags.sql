with

contact_follows as (
    select * from {{ ref('base_wecom__contact_follows') }}
),

tag_elements as (
    {{ json_array_elements('contact_follows', 'tag_ids_json') }}
),

tags as (
    select
        contact_follow_id,
        external_userid,
        guide_userid,
        {{ trim_text('element_value') }} as tag_id,
        source_file,
        source_row_number,
        source_loaded_at
    from tag_elements
),

distinct_tags as (
    select distinct *
    from tags
    where tag_id is not null
),

with_key as (
    select
        {{ surrogate_key(['contact_follow_id', 'tag_id']) }} as contact_tag_id,
        *
    from distinct_tags
)

select * from with_key
