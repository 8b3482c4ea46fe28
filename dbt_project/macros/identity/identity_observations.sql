{#-
    Every identifier seen in the records of the models the channel registry lists as
    identity_models (var siyu_channels), one row per (source, combination of identifiers), as
    unpivot_identifiers returns them. Each of those models declares, once, in its YAML:

        config:
          meta:
            identity:
              source: tmall                 # the source name the observations carry
              record_key: order_id          # the column that keys one record
              seen_at: created_at           # when the record was seen (may be null)
              identifiers:                  # each identifier column of a record, with its type
                - {id_type: tmall_buyer, column: buyer_nick}
                - {id_type: phone_hash, column: receiver_phone_hash, phone_kind: receiver_phone_kind}

    phone_kind names the column with the phone's kind (macro phone_kind): a test or placeholder
    number is observed with a junk reason and never links. Models of one source (WeChat Pay's
    payments and coupons) must declare the same identifiers; their records are combined together.
-#}
{% macro identity_observations() -%}
    {%- set models = [] -%}
    {%- for channel in channel_names('identity_models') -%}
        {%- for model_name in channel_property(channel, 'identity_models') -%}
            {%- do models.append({'name': model_name, 'relation': ref(model_name)}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not execute -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set sources = {} -%}
    {%- set source_order = [] -%}
    {%- for model in models -%}
        {%- set declaration = identity_declaration(model.name) -%}
        {%- if declaration.source not in sources -%}
            {%- do sources.update({declaration.source: []}) -%}
            {%- do source_order.append(declaration.source) -%}
        {%- endif -%}
        {%- do sources[declaration.source].append({'declaration': declaration, 'relation': model.relation}) -%}
    {%- endfor %}
    with
    {%- for source in source_order %}
        {%- set first = sources[source][0].declaration %}
        {%- set id_types = first.identifiers | map(attribute='id_type') | list %}
    {{ source }}__records as (
        {%- for entry in sources[source] %}
            {%- set declaration = entry.declaration %}
            {%- if declaration.identifiers | map(attribute='id_type') | list != id_types %}
                {{ exceptions.raise_compiler_error(
                    "siyu identity: the models of source '" ~ source ~ "' must declare the same identifiers in the same order ("
                    ~ id_types | join(', ') ~ "); " ~ declaration.model ~ " declares "
                    ~ declaration.identifiers | map(attribute='id_type') | join(', ')) }}
            {%- endif %}
        select
            {{ declaration.record_key }} as record_key,
            {{ declaration.seen_at }} as seen_at,
            {%- for identifier in declaration.identifiers %}
            {{ identifier.column }} as id_{{ loop.index }},
            {%- if identifier.get('phone_kind') %}
            {{ test_phone_reason(identifier.phone_kind) }} as junk_{{ loop.index }}{{ ',' if not loop.last }}
            {%- else %}
            cast(null as {{ dbt.type_string() }}) as junk_{{ loop.index }}{{ ',' if not loop.last }}
            {%- endif %}
            {%- endfor %}
        from {{ entry.relation }}
        {{ 'union all' if not loop.last }}
        {%- endfor %}
    ),

    {{ source }}__combinations as (
        {%- set columns = [] %}
        {%- for id_type in id_types %}
            {%- do columns.append({'id_type': id_type, 'column': 'id_' ~ loop.index, 'junk_reason': 'junk_' ~ loop.index}) %}
        {%- endfor %}
        {{ identifier_combinations(source ~ '__records', 'record_key', 'seen_at', columns) }}
    ),
    {%- endfor %}

    observations as (
        {%- for source in source_order %}
        {{ unpivot_identifiers(source ~ '__combinations', source, sources[source][0].declaration.identifiers) }}
        {{ 'union all' if not loop.last }}
        {%- endfor %}
    )
    {%- set erasure_schema, erasure_table = var('siyu_erasure_tables')['identifiers'].split('.') %}
    {%- set erasure_list = adapter.get_relation(database=this.database, schema=erasure_schema, identifier=erasure_table) %}
    {%- if erasure_list is not none %},

    -- identifiers a deletion request named (the erasure list keeps their keyed hashes) are
    -- not observed again: a record that still carries one (a masked shop order, whose raw row no
    -- request can match) does not bring the customer back. Only identifiers of the types on the
    -- list are hashed.
    observed_of_erased_types as (
        select distinct id_type, id_value
        from observations
        where id_type in (select distinct id_type from {{ erasure_list }})
    ),

    erased as (
        select observed.id_type, observed.id_value
        from observed_of_erased_types as observed
        inner join {{ erasure_list }} as erasure_list
            on
                observed.id_type = erasure_list.id_type
                and {{ keyed_hash('observed.id_value') }} = erasure_list.id_value_hash
    )

    select observations.*
    from observations
    left join erased
        on
            observations.id_type = erased.id_type
            and observations.id_value = erased.id_value
    where erased.id_type is null
    {%- else %}

    select * from observations
    {%- endif %}
{%- endmacro %}

{#-
    The identity declaration (config.meta.identity) of a model, checked: raises a compiler error
    naming the model and the missing field when it is incomplete.
-#}
{% macro identity_declaration(model_name) -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ model_name) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error("siyu identity: the channel registry lists the model '" ~ model_name ~ "', which does not exist") }}
    {%- endif -%}
    {%- set declaration = (node.config.meta or {}).get('identity') -%}
    {%- if declaration is none -%}
        {{ exceptions.raise_compiler_error("siyu identity: " ~ node.original_file_path ~ " model " ~ model_name ~ " is listed in the channel registry as an identity model but declares no config.meta.identity in its YAML") }}
    {%- endif -%}
    {%- for field in ['source', 'record_key', 'seen_at', 'identifiers'] if not declaration.get(field) -%}
        {{ exceptions.raise_compiler_error("siyu identity: model " ~ model_name ~ ": config.meta.identity." ~ field ~ " is missing") }}
    {%- endfor -%}
    {%- for identifier in declaration.identifiers if not (identifier.get('id_type') and identifier.get('column')) -%}
        {{ exceptions.raise_compiler_error("siyu identity: model " ~ model_name ~ ": every identifier needs id_type and column") }}
    {%- endfor -%}
    {{ return({'model': model_name, 'source': declaration.source, 'record_key': declaration.record_key,
               'seen_at': declaration.seen_at, 'identifiers': declaration.identifiers}) }}
{%- endmacro %}
