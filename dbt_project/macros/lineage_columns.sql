{#-
    Returns the select-list entries that carry a raw record's lineage into staging: the delivered
    file and the record's 1-based row in it (the source record key), and when it was loaded.
    Use as the last entries of a staging model's first logical CTE.
-#}
{% macro lineage_columns() -%}
    _file_name as source_file,
    _row_number as source_row_number,
    _loaded_at as source_loaded_at
{%- endmacro %}
