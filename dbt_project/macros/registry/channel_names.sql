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
    The touch type of an order of the channel in `channel_column` when the registry gives the
    channel an order_touch_type (a shop whose order is the brand's only sight of the buyer), else
    null: a SQL case expression.
-#}
{% macro order_touch_type(channel_column) -%}
    {%- set channels = channel_names('order_touch_type') -%}
    {%- if channels -%}
    case {{ channel_column }}
        {%- for channel in channels %}
        when {{ sql_string(channel) }} then {{ sql_string(channel_property(channel, 'order_touch_type')) }}
        {%- endfor %}
    end
    {%- else -%}
    cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}
