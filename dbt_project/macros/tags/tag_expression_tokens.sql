{#-
    Returns the tokens of a tag rule or audience expression, each {kind, text, word}: kind is
    'reference' (tag('key') or var('name'), with `function` and `name`), 'number', 'string',
    'word' (identifier or keyword; `word` is its lower case), 'symbol' (operators, parentheses,
    commas) or 'other' (any character the language does not know, reported as an error).
-#}
{% macro tag_expression_tokens(expression) -%}
    {%- set pattern = "([A-Za-z]+)[ \\t\\r\\n]*\\([ \\t\\r\\n]*'((?:[^']|'')*)'[ \\t\\r\\n]*\\)"
        ~ "|([0-9]+(?:[.][0-9]+)?)"
        ~ "|('(?:[^']|'')*')"
        ~ "|([A-Za-z_][A-Za-z0-9_]*)"
        ~ "|(<>|!=|<=|>=|[|][|]|[-=<>+*/%(),])"
        ~ "|([^ \\t\\r\\n])" -%}
    {%- set tokens = [] -%}
    {%- for call, argument, number, string, word, symbol, other in modules.re.findall(pattern, expression) -%}
        {%- if call and call | lower in ['tag', 'var'] -%}
            {%- do tokens.append({
                'kind': 'reference', 'function': call | lower, 'name': argument | replace("''", "'"),
                'text': (call | lower) ~ "('" ~ argument ~ "')", 'word': none,
            }) -%}
        {%- elif call -%}
            {#- a function applied to a single text literal, e.g. lower('A'): split it up again -#}
            {%- do tokens.append({'kind': 'word', 'text': call, 'word': call | lower}) -%}
            {%- do tokens.append({'kind': 'symbol', 'text': '(', 'word': none}) -%}
            {%- do tokens.append({'kind': 'string', 'text': "'" ~ argument ~ "'", 'word': none}) -%}
            {%- do tokens.append({'kind': 'symbol', 'text': ')', 'word': none}) -%}
        {%- elif number -%}
            {%- do tokens.append({'kind': 'number', 'text': number, 'word': none}) -%}
        {%- elif string -%}
            {%- do tokens.append({'kind': 'string', 'text': string, 'word': none}) -%}
        {%- elif word -%}
            {%- do tokens.append({'kind': 'word', 'text': word, 'word': word | lower}) -%}
        {%- elif symbol -%}
            {%- do tokens.append({'kind': 'symbol', 'text': symbol, 'word': none}) -%}
        {%- else -%}
            {%- do tokens.append({'kind': 'other', 'text': other, 'word': none}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tokens) }}
{%- endmacro %}
