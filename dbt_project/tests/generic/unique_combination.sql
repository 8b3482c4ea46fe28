{#-
    Fails for every combination of `columns` that occurs more than once (a compound primary key).
    `written`, as in primary_key: on an incremental build, only the keys of the rows it wrote.
-#}
{% test unique_combination(model, columns, written=none) %}

{{ siyu.repeated_keys(model, columns, written) }}

{% endtest %}
