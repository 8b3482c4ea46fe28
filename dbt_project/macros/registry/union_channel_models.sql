{#-
    One select per channel of the registry that has `property` set, from its conformed model
    int_<concept>__<channel>, with the given columns in that order, joined by union all: e.g.
    union_channel_models('orders', 'sells', [...]) unions int_orders__mini_program, int_orders__store, ...
    A conformed model missing one of the columns fails the build naming itself.
-#}
{% macro union_channel_models(concept, property, columns) -%}
    {%- for channel in channel_names(property) %}
    select
        {%- for column in columns %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_' ~ concept ~ '__' ~ channel) }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
