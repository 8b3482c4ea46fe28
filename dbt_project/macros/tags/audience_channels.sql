{#-
    Returns the channels an audience may be sent through, each with the identifier type that
    int_tags__reach_ids gives as reach_id: the channels of the registry (var siyu_channels) that
    have a reach_id_type.
-#}
{% macro audience_channels() -%}
    {%- set channels = {} -%}
    {%- for channel in channel_names('reach_id_type') -%}
        {%- do channels.update({channel: channel_property(channel, 'reach_id_type')}) -%}
    {%- endfor -%}
    {{ return(channels) }}
{%- endmacro %}
