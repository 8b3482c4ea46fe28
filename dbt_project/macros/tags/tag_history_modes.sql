{#-
    Returns how the history of a catalogue tag is kept (field `history`):
    - changes (the default): every change of the tag's value, and its start and end, is logged in
      int_customer_tags__recorded and shown as periods in customer_tag_history;
    - current: only customer_tags holds the tag. For values that move every day by themselves,
      such as days counted up to as_of: logging them would add a change per carrier per day,
      while their past follows from the dates they count from (fct_orders, for the order day
      counts).
-#}
{% macro tag_history_modes() -%}
    {{ return(['changes', 'current']) }}
{%- endmacro %}
