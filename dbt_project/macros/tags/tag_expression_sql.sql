{#-
    Returns the SQL of parsed expression parts (tag_expression_parsed), each bare name and tag()
    reference replaced through `names` and `tags` (dicts of name -> SQL); the caller has checked
    that every name is in them.
-#}
{% macro tag_expression_sql(parts, names, tags) -%}
    {%- set pieces = [] -%}
    {%- for part in parts -%}
        {%- if part.kind == 'name' -%}
            {%- do pieces.append(names[part.name]) -%}
        {%- elif part.kind == 'tag' -%}
            {%- do pieces.append(tags[part.name]) -%}
        {%- else -%}
            {%- do pieces.append(part.text) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set spaced = namespace(sql='') -%}
    {%- for piece in pieces -%}
        {%- if loop.first or spaced.sql.endswith('(') or piece in [')', ','] -%}
            {%- set spaced.sql = spaced.sql ~ piece -%}
        {%- else -%}
            {%- set spaced.sql = spaced.sql ~ ' ' ~ piece -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(spaced.sql) }}
{%- endmacro %}
