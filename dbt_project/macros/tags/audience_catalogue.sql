{#-
    Returns the audiences of the project, checked and compiled against the tag catalogue `tags`:
    {audiences: [...], columns: [...]}. An audience is a dbt exposure whose config.meta holds
    `siyu_audience: {expression, channels, delivery}` (models/marts/tags/audiences.yml). Each
    audience has key (the exposure name), label, description, owner, expression, `sql` (the
    expression over the tag matrix of audience_members), channels (in order of preference),
    delivery ('first_reachable': each customer once, on the first listed channel that reaches them;
    'every_reachable': on every listed channel that reaches them) and file. `columns` lists the
    tags the expressions use: {key, alias, value_type}. Raises a compiler error naming the file and
    the audience, listing every problem, when an expression does not parse or names an unknown
    tag, or a field is wrong.
-#}
{% macro audience_catalogue(tags) -%}
    {%- set channels = siyu.audience_channels() -%}
    {%- set tag_types = {} -%}
    {%- for tag in tags -%}
        {%- do tag_types.update({tag.key: tag.value_type}) -%}
    {%- endfor -%}
    {%- set audiences = [] -%}
    {%- set columns = [] -%}
    {%- set aliases = {} -%}
    {%- set problems = [] -%}
    {%- if execute -%}
        {%- for exposure in graph.exposures.values() | sort(attribute='unique_id') -%}
            {%- set meta = (exposure.config.meta or {}) if exposure.config is defined else {} -%}
            {%- set spec = meta.get('siyu_audience') or (exposure.meta or {}).get('siyu_audience') -%}
            {%- if spec is not none -%}
                {%- set where = 'siyu audience, ' ~ exposure.original_file_path ~ ", audience '" ~ exposure.name ~ "'" -%}
                {%- set found = [] -%}
                {%- if not modules.re.match('^[a-z][a-z0-9_]{0,62}$', exposure.name) -%}
                    {%- do found.append('the name (the audience key) must be snake_case') -%}
                {%- endif -%}
                {%- if spec is not mapping -%}
                    {%- do found.append('siyu_audience must be a mapping with expression and channels') -%}
                {%- else -%}
                    {%- for field in spec if field not in ['expression', 'channels', 'delivery'] -%}
                        {%- do found.append('unknown field "' ~ field ~ '" (fields: expression, channels, delivery)') -%}
                    {%- endfor -%}
                    {%- set listed = spec.get('channels') -%}
                    {%- if not listed or listed is string or listed is mapping or listed is not iterable -%}
                        {%- do found.append('channels must be a list of ' ~ channels.keys() | list | join(', ')) -%}
                    {%- else -%}
                        {%- for channel in listed if channel not in channels -%}
                            {%- do found.append('unknown channel "' ~ channel ~ '" (channels: ' ~ channels.keys() | list | join(', ') ~ ')') -%}
                        {%- endfor -%}
                        {%- if listed | unique | list | length != listed | length -%}
                            {%- do found.append('a channel is listed twice') -%}
                        {%- endif -%}
                    {%- endif -%}
                    {%- if (spec.get('delivery') or 'first_reachable') not in ['first_reachable', 'every_reachable'] -%}
                        {%- do found.append('delivery must be first_reachable or every_reachable') -%}
                    {%- endif -%}
                    {%- set parsed = siyu.tag_expression_parsed(spec.get('expression')) -%}
                    {%- if parsed.problem is not none -%}
                        {%- do found.append(parsed.problem) -%}
                    {%- endif -%}
                    {%- for part in parsed.parts if part.kind in ['name', 'tag'] -%}
                        {%- set is_wecom = part.kind == 'tag' and part.name.startswith('wecom:') -%}
                        {%- if is_wecom and '/' not in part.name -%}
                            {%- do found.append("a WeCom tag is tag('wecom:<group name>/<tag name>'), not \"" ~ part.name ~ '"') -%}
                        {%- elif not is_wecom and part.name not in tag_types -%}
                            {%- do found.append(
                                'unknown tag "' ~ part.name ~ '" in `' ~ spec.get('expression') | trim ~ '`. Audiences use'
                                ~ " the tags of the tag catalogue by key, and WeCom tags as tag('wecom:<group>/<tag>')") -%}
                        {%- endif -%}
                    {%- endfor -%}
                {%- endif -%}
                {%- if found -%}
                    {%- do problems.append(where ~ ': ' ~ found[0]) -%}
                {%- else -%}
                    {%- set names = {} -%}
                    {%- set referenced = {} -%}
                    {%- for part in parsed.parts if part.kind in ['name', 'tag'] -%}
                        {%- set is_wecom = part.kind == 'tag' and part.name.startswith('wecom:') -%}
                        {%- if part.name not in aliases -%}
                            {%- set alias = 'tag_' ~ (columns | length + 1) -%}
                            {%- do aliases.update({part.name: alias}) -%}
                            {%- do columns.append({'key': part.name, 'alias': alias,
                                                   'value_type': 'boolean' if is_wecom else tag_types[part.name]}) -%}
                        {%- endif -%}
                        {%- if part.kind == 'name' -%}
                            {%- do names.update({part.name: aliases[part.name]}) -%}
                        {%- else -%}
                            {%- do referenced.update({part.name: aliases[part.name]}) -%}
                        {%- endif -%}
                    {%- endfor -%}
                    {%- set owner = exposure.owner or {} -%}
                    {%- do audiences.append({
                        'key': exposure.name,
                        'label': exposure.label or exposure.name,
                        'description': (exposure.description or '') | trim,
                        'owner': owner.name or owner.email or '',
                        'expression': spec.get('expression') | string | trim,
                        'sql': siyu.tag_expression_sql(parsed.parts, names, referenced),
                        'channels': spec.get('channels') | list,
                        'delivery': spec.get('delivery') or 'first_reachable',
                        'file': exposure.original_file_path,
                    }) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            (problems | length) ~ ' problem(s) in the audiences:\n' ~ problems | join('\n')) }}
    {%- endif -%}
    {{ return({'audiences': audiences, 'columns': columns}) }}
{%- endmacro %}
