{#-
    One select per channel of the registry that has `property` set, from its conformed model
    int_<concept>__<channel>, with the given columns in that order, joined by union all: e.g.
    union_channel_models('orders', 'sells', [...]) unions int_orders__mini_program, int_orders__store, ...
    A conformed model missing one of the columns fails the build naming itself. `unless` leaves
    out the channels that have that property set (e.g. touches that come from orders).
-#}
{% macro union_channel_models(concept, property, columns, unless=none) -%}
    {%- set channels = [] -%}
    {%- for channel in channel_names(property) if unless is none or not channel_property(channel, unless) -%}
        {%- do channels.append(channel) -%}
    {%- endfor -%}
    {%- for channel in channels %}
    select
        {%- for column in columns %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_' ~ concept ~ '__' ~ channel) }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
