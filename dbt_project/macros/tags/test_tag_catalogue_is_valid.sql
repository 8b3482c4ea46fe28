{#-
    Data test on the model whose YAML holds the tag catalogue (tag_definitions): `catalogue` is the
    catalogue itself (passed with a YAML alias, *siyu_tags). dbt renders generic tests while it
    parses, so a broken tag (a rule that does not parse, an unknown column or tag) fails `dbt parse`
    with the file and the tag. When run, it fails for every stored tag value that does not fit its
    definition: a boolean tag not 'true', an integer or number that is not one, a text tag outside
    its `values`, a rule or manual tag key missing from the catalogue.
    The tested model arrives in kwargs, so `model` here is this test's node (its YAML file).
-#}
{% test tag_catalogue_is_valid(catalogue) %}
    {%- set tested = kwargs.get('model') -%}
    {%- set file = model.original_file_path -%}
    {%- if catalogue is none or catalogue is string or catalogue is mapping or catalogue is not iterable -%}
        {{ exceptions.raise_compiler_error('siyu tag catalogue, ' ~ file ~ ': siyu_tags must be a list of tags') }}
    {%- endif -%}
    {%- set entries = [] -%}
    {%- for tag in catalogue -%}
        {%- do entries.append({'tag': tag, 'file': file}) -%}
    {%- endfor -%}
    {%- set checked = siyu.tag_catalogue_checked(entries) -%}
    with

    {%- set as_of = siyu.this_build_as_of() %}

    -- the rows this build wrote (macros/checks/get_where_subquery.sql); all on a full refresh
    customer_tags as (
        select * from {{ ref('customer_tags') }}
        {%- if as_of is not none %}
        where computed_at = {{ as_of }}
        {%- endif %}
    ),

    -- one pass over customer_tags: each row gets the first problem it has, if any (a row's key
    -- picks at most one branch, so no problem hides another)
    checked_values as (
        select
            tag_key,
            tag_value,
            case
                when
                    tag_source in ('rule', 'manual')
                    {%- if checked %}
                        and tag_key not in ({% for tag in checked %}'{{ tag.key }}'{{ ', ' if not loop.last }}{% endfor %})
                    {%- endif %}
                    then 'not in the tag catalogue'
            {%- for tag in checked %}
                when
                    tag_key = '{{ tag.key }}'
                    and (
                        tag_value is null
                    {%- if tag.value_type == 'boolean' %}
                        or tag_value != 'true'
                    {%- elif tag.value_type == 'integer' %}
                        or not {{ siyu.text_matches('tag_value', '^-?[0-9]+$') }}
                    {%- elif tag.value_type == 'number' %}
                        or not {{ siyu.text_matches('tag_value', '^-?[0-9]+([.][0-9]+)?$') }}
                    {%- elif tag.allowed_values %}
                        or tag_value not in ({% for value in tag.allowed_values %}{{ siyu.tag_sql_literal(value) }}{{ ', ' if not loop.last }}{% endfor %})
                    {%- endif %}
                    )
                    then 'not a {{ tag.value_type }} value{{ " in its values" if tag.allowed_values else "" }}'
            {%- endfor %}
            end as problem
        from customer_tags
    ),

    problems as (
        select
            tag_key,
            tag_value,
            problem
        from checked_values
        where problem is not null
    )

    -- the tested model (tag_definitions) must list every catalogued tag
    select * from problems
    union all
    select
        catalogued.tag_key,
        cast(null as {{ dbt.type_string() }}) as tag_value,
        'missing from tag_definitions' as problem
    from (
        {%- for tag in checked %}
            select '{{ tag.key }}' as tag_key
            {{ 'union all' if not loop.last }}
        {%- endfor %}
        {%- if not checked %}
            select cast(null as {{ dbt.type_string() }}) as tag_key where false
        {%- endif %}
    ) as catalogued
    where catalogued.tag_key not in (select tag_key from {{ tested }})
{% endtest %}
