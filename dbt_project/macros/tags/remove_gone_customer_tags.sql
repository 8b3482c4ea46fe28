{#-
    Post-hook of customer_tags: an incremental build inserts each tag that went with a null value
    (delete+insert removes the kept row by its key); those rows are deleted here, in the same
    transaction. A carried tag's value is never null (int_tags__rule_values keeps only values).
-#}
{% macro remove_gone_customer_tags() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where tag_value is null
    {%- endif -%}
{%- endmacro %}
