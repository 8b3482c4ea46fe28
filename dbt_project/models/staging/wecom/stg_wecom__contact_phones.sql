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
