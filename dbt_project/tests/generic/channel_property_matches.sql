{#-
    Fails for every row whose column differs from the channel registry's `property` of the row's
    channel (channel_column), e.g. a reach_id_type that is not the one its channel is reached by.
-#}
{% test channel_property_matches(model, column_name, channel_column, property) %}
    select {{ channel_column }} as channel, {{ column_name }} as failing_value
    from {{ model }}
    where {{ channel_property_sql(channel_column, property) }} is distinct from {{ column_name }}
{% endtest %}
