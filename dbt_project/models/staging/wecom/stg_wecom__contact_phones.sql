{#-
    A table, rebuilt on every build, where the staging models that read a raw table are
    incremental: it reads an ephemeral base model, which is computed from the whole raw table
    each time (and, for WeCom, holds phones in clear, so it is never stored); and a re-delivered
    order or contact must also drop the lines, tags or phones its new delivery no longer lists,
    which delete+insert by a row key cannot do.
-#}
{{ config(materialized='table') }}

with

contact_follows as (
    select * from {{ ref('base_wecom__contact_follows') }}
),

typed_phones as (
    {{ json_array_elements('contact_follows', 'remark_mobiles_json') }}
),

hashed as (
    select
        {{ surrogate_key(['contact_follow_id', 'element_position']) }} as contact_phone_id,
        contact_follow_id,
        external_userid,
        guide_userid,
        element_position + 1 as phone_number_in_list,
        {{ hash_phone('element_value') }} as phone_hash,
        {{ phone_kind('element_value') }} as phone_kind,
        {{ mask_phone('element_value') }} as phone_masked,
        source_file,
        source_row_number,
        source_loaded_at
    from typed_phones
)

select * from hashed
