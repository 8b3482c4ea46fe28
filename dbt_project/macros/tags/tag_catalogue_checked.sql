{#-
    Returns the tag catalogue checked and compiled: one dict per tag with key, description, owner,
    value_type, source ('rule' or 'manual'), group, allowed_values, history ('changes' or
    'current', tag_history_modes), rule, file and, for rule tags,
    `sql` (the rule as SQL over int_tags__customer_features, other tags' rules inlined). `entries`
    is a list of {tag: <the YAML mapping>, file: <the YAML file>}. When anything is wrong it raises
    one compiler error listing every problem, each line naming the file and the tag: a missing or
    unknown field, a bad key or value type, a duplicate key, a rule that does not parse, names an
    unknown column or tag, or refers back to itself.
-#}
{% macro tag_catalogue_checked(entries) -%}
    {%- set fields = ['key', 'description', 'owner', 'value_type', 'rule', 'source', 'group', 'values', 'history'] -%}
    {%- set tags = [] -%}
    {%- set by_key = {} -%}
    {%- set problems = [] -%}
    {%- for entry in entries -%}
        {%- set raw = entry.tag -%}
        {%- set key = ((raw.get('key') if raw is mapping else none) or '') | string -%}
        {%- set where = 'siyu tag catalogue, ' ~ entry.file ~ ", tag '" ~ key ~ "'" -%}
        {%- set found = [] -%}
        {%- if raw is not mapping -%}
            {%- do found.append('each tag must be a mapping with key, description, owner, value_type and rule') -%}
        {%- else -%}
            {%- if not modules.re.match('^[a-z][a-z0-9_]{0,62}$', key) -%}
                {%- do found.append('the key must be snake_case (a-z, 0-9, _), starting with a letter') -%}
            {%- endif -%}
            {%- for field in raw if field not in fields -%}
                {%- do found.append('unknown field "' ~ field ~ '" (fields: ' ~ fields | join(', ') ~ ')') -%}
            {%- endfor -%}
            {%- for field in ['description', 'owner', 'value_type'] if not raw.get(field) -%}
                {%- do found.append('"' ~ field ~ '" is missing') -%}
            {%- endfor -%}
            {%- if raw.get('value_type') and raw.get('value_type') not in siyu.tag_value_types() -%}
                {%- do found.append('value_type "' ~ raw.get('value_type') ~ '" is not one of ' ~ siyu.tag_value_types() | join(', ')) -%}
            {%- endif -%}
            {%- set source = raw.get('source') or 'rule' -%}
            {%- if source not in ['rule', 'manual'] -%}
                {%- do found.append('source must be rule (the default) or manual') -%}
            {%- elif source == 'rule' and not raw.get('rule') -%}
                {%- do found.append('"rule" is missing (or set source: manual for a tag assigned in seed manual_customer_tags)') -%}
            {%- elif source == 'manual' and raw.get('rule') -%}
                {%- do found.append('a manual tag has no rule') -%}
            {%- endif -%}
            {%- set values = raw.get('values') -%}
            {%- if values is not none and (raw.get('value_type') != 'text' or values is string or values is mapping or values is not iterable) -%}
                {%- do found.append('"values" (the allowed values) is a list, for text tags only') -%}
            {%- endif -%}
            {%- set history = raw.get('history') or 'changes' -%}
            {%- if history not in siyu.tag_history_modes() -%}
                {%- do found.append('history "' ~ history ~ '" is not one of ' ~ siyu.tag_history_modes() | join(', ')) -%}
            {%- endif -%}
            {%- if key in by_key -%}
                {%- do found.append('the key is defined twice (also in ' ~ by_key[key].file ~ ')') -%}
            {%- endif -%}
        {%- endif -%}
        {%- if found -%}
            {%- do problems.append(where ~ ' (entry ' ~ loop.index ~ '): ' ~ found[0]) -%}
        {%- else -%}
            {%- set tag = {
                'key': key,
                'description': raw.description | string | trim,
                'owner': raw.owner | string | trim,
                'value_type': raw.value_type,
                'source': source,
                'group': (raw.get('group') or 'custom') | string,
                'allowed_values': (values | map('string') | list) if values is not none else none,
                'history': history,
                'rule': (raw.get('rule') | string | trim) if raw.get('rule') else none,
                'file': entry.file,
                'where': where,
                'sql': none,
                'broken': false,
            } -%}
            {%- do tags.append(tag) -%}
            {%- do by_key.update({key: tag}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for tag in tags if tag.source == 'rule' -%}
        {%- do siyu.tag_rule_compiled(tag.key, by_key, [], problems) -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            (problems | length) ~ ' problem(s) in the tag catalogue:\n' ~ problems | join('\n')) }}
    {%- endif -%}
    {{ return(tags) }}
{%- endmacro %}
