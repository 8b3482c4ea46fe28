{#-
    Fails for every row whose column differs from the channel registry's `property` of the row's
    channel (channel_column), e.g. a reach_id_type that is not the one its channel is reached by.
-#}
{% test channel_property_matches(model, column_name, channel_column, property) %}
    select {{ channel_column }} as channel, {{ column_name }} as failing_value
    from {{ model }}
    where
        case {{ channel_column }}
            {%- for channel in channel_names(property) %}
            when {{ sql_string(channel) }} then {{ sql_string(channel_property(channel, property)) }}
            {%- endfor %}
        end is distinct from {{ column_name }}
{% endtest %}
