{#-
    Returns the SQL of the rule of tag `key` over int_tags__customer_features and stores it in the
    tag's `sql`; or, when the rule is broken, returns none, marks the tag broken and appends to
    `problems` what is wrong ("<where>: <problem>"). Bare names must be feature columns
    (tag_feature_columns()); tag('other') inlines the other rule tag's SQL in parentheses.
    `visiting` holds the tags being compiled, to catch a tag that refers back to itself.
-#}
{% macro tag_rule_compiled(key, by_key, visiting, problems) -%}
    {%- set tag = by_key[key] -%}
    {%- if tag.sql is not none or tag.broken -%}
        {{ return(tag.sql) }}
    {%- endif -%}
    {%- set columns = siyu.tag_feature_columns() -%}
    {%- set parsed = siyu.tag_expression_parsed(tag.rule) -%}
    {%- set found = [] -%}
    {%- if parsed.problem is not none -%}
        {%- do found.append(parsed.problem) -%}
    {%- endif -%}
    {%- set names = {} -%}
    {%- set referenced = {} -%}
    {%- for part in parsed.parts if not found -%}
        {%- if part.kind == 'name' and part.name not in columns -%}
            {%- do found.append(
                'unknown column "' ~ part.name ~ '" in `' ~ tag.rule ~ '`. A rule may name the feature columns'
                ~ ' of int_tags__customer_features (' ~ columns | join(', ') ~ ") and other tags as tag('key')") -%}
        {%- elif part.kind == 'name' -%}
            {%- do names.update({part.name: part.name}) -%}
        {%- elif part.kind == 'tag' -%}
            {%- set other = by_key.get(part.name) -%}
            {%- if other is none -%}
                {%- do found.append('unknown tag "' ~ part.name ~ '" in `' ~ tag.rule ~ '`') -%}
            {%- elif other.source != 'rule' -%}
                {%- do found.append('tag "' ~ part.name ~ '" is a manual tag; a rule may only use rule tags') -%}
            {%- elif part.name == key or part.name in visiting -%}
                {%- do found.append('tag "' ~ part.name ~ '" refers back to itself (' ~ (visiting + [key, part.name]) | join(' -> ') ~ ')') -%}
            {%- else -%}
                {%- set other_sql = siyu.tag_rule_compiled(part.name, by_key, visiting + [key], problems) -%}
                {%- if other_sql is none -%}
                    {%- do found.append("uses tag('" ~ part.name ~ "'), whose rule is broken") -%}
                {%- else -%}
                    {%- do referenced.update({part.name: '(' ~ other_sql ~ ')'}) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if found -%}
        {%- do tag.update({'broken': true}) -%}
        {%- do problems.append(tag.where ~ ': ' ~ found[0]) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set sql = siyu.tag_expression_sql(parsed.parts, names, referenced) -%}
    {%- do tag.update({'sql': sql}) -%}
    {{ return(sql) }}
{%- endmacro %}
