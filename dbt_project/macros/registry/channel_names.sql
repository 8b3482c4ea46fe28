{#-
    The channels of the registry (var siyu_channels in dbt_project.yml), in its order; with a
    property, only the channels where it is set (e.g. channel_names('sells'), the selling ones).
    channel_property(channel, property) reads one property (none when unset).
-#}
{% macro channel_names(property=none) -%}
    {%- set names = [] -%}
    {%- for channel, properties in var('siyu_channels').items() -%}
        {%- if property is none or properties.get(property) -%}
            {%- do names.append(channel) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{% macro channel_property(channel, property) -%}
    {{ return(var('siyu_channels')[channel].get(property)) }}
{%- endmacro %}

{#- One select per channel of the registry, joined by union all (model int_channels__registered). -#}
{% macro channel_registry_rows() -%}
    {%- for channel in channel_names() %}
    select
        {{ sql_string(channel) }} as channel,
        {{ sql_string(channel_property(channel, 'label')) }} as channel_label,
        {{ 'true' if channel_property(channel, 'sells') else 'false' }} as is_selling,
        {{ 'true' if channel_property(channel, 'touches') else 'false' }} as is_touching,
        {%- if channel_property(channel, 'reach_id_type') %}
        {{ sql_string(channel_property(channel, 'reach_id_type')) }} as reach_id_type,
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as reach_id_type,
        {%- endif %}
        {{ 'true' if channel_property(channel, 'guide_credited') else 'false' }} as is_guide_credited,
        {{ loop.index }} as registry_order
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    A SQL case expression: the registry's `property` of the channel in `channel_column`, null
    for a channel without it (e.g. channel_property_sql('channel', 'order_touch_type')).
-#}
{% macro channel_property_sql(channel_column, property) -%}
    {%- set channels = channel_names(property) -%}
    {%- if channels -%}
    case {{ channel_column }}
        {%- for channel in channels %}
        when {{ sql_string(channel) }} then {{ sql_string(channel_property(channel, property)) }}
        {%- endfor %}
    end
    {%- else -%}
    cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}
