{#-
    touchpoint_columns(): the columns of a resolved touch, in order, as int_touchpoints__unioned
    holds them and int_touchpoints__changes lists them (touchpoint_key first).
-#}
{% macro touchpoint_columns() -%}
    {{ return([
        'touchpoint_key', 'customer_id', 'channel', 'touch_type', 'touched_at', 'signal_type',
        'signal_value', 'campaign_id', 'guide_id', 'is_acquisition_touch', 'id_type',
        'source_record_key',
    ]) }}
{%- endmacro %}
