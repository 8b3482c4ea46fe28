{#-
    Returns the moment the marts are computed "as of": var siyu_as_of (a 'yyyy-MM-dd HH:mm:ss'
    local time) when set, else the latest time any identifier was seen, so a rebuild of the same
    exports gives the same lifecycle stages and horizons whatever day it runs. `identifiers`: the
    relation of int_identity__customer_ids, for callers that may not ref() it (a test's filter,
    macros/checks/get_where_subquery.sql); by default its ref().
-#}
{% macro as_of_at(identifiers=none) -%}
    {%- if var('siyu_as_of', none) -%}
        cast('{{ var("siyu_as_of") }}' as timestamp)
    {%- else -%}
        (select max(last_seen_at) from {{ identifiers if identifiers is not none else ref('int_identity__customer_ids') }})
    {%- endif -%}
{%- endmacro %}
