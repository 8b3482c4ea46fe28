{#-
    Fails for every non-null value of the column that is not a channel of the channel registry
    (var siyu_channels) with the property `having` set (any channel when none), or one of `also`
    (values the column may hold beside channels, e.g. 'all').
-#}
{% test registered_channel(model, column_name, having=none, also=[]) %}
    {%- set allowed = channel_names(having) + also %}
    select {{ column_name }} as failing_value
    from {{ model }}
    where
        {{ column_name }} is not null
        and {{ column_name }} not in (
            {%- for value in allowed -%}
            {{ sql_string(value) }}{{ ', ' if not loop.last }}
            {%- endfor -%}
        )
{% endtest %}
