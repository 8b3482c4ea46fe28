{#-
    A table, rebuilt from the whole raw history on every build, where the other staging models are
    incremental: it reads the ephemeral base model, which holds phones in clear and so is never
    stored, and a re-delivered record must drop its rows that the new delivery no longer lists.
-#}
{{ config(materialized='table') }}

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
