{#-
    Returns a tag rule or audience expression checked and split into parts: {parts, problem}, where
    problem (none when the expression is fine) says what is wrong, quoting the expression.

    The language is a small, safe subset of SQL expressions: names (columns or tags, resolved by
    the caller), numbers, 'text', true/false/null, tag('key'), var('dbt_var'), the operators
    = <> != < <= > >= + - * / % ||, and/or/not, is [not] null, [not] in (...), [not] between ...
    and ..., [not] like, case when ... then ... else ... end, parentheses and the functions below.
    No statements, comments, quoted identifiers or sub-queries. var() is replaced by the dbt var's
    value (a number, text or boolean).

    Each part is {kind: 'sql', text} (ready SQL), {kind: 'name', name} (a bare name, lower case) or
    {kind: 'tag', name} (a tag('key') reference); tag_expression_sql joins them once resolved.
-#}
{% macro tag_expression_parsed(expression) -%}
    {%- set functions = ['coalesce', 'nullif', 'greatest', 'least', 'abs', 'round', 'floor', 'ceil',
                         'lower', 'upper', 'length'] -%}
    {%- set binary_words = ['and', 'or', 'like', 'between'] -%}
    {%- set binary_symbols = ['=', '<>', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '||'] -%}
    {%- set keywords = ['and', 'or', 'not', 'is', 'null', 'true', 'false', 'in', 'between', 'like',
                        'case', 'when', 'then', 'else', 'end', 'select', 'from', 'where'] -%}
    {%- set text = (expression if expression is not none else '') | string -%}
    {%- if text | trim == '' -%}
        {{ return({'parts': [], 'problem': 'the expression is empty'}) }}
    {%- endif -%}
    {%- if '--' in text or '/*' in text or ';' in text -%}
        {{ return({'parts': [], 'problem': 'comments and ";" are not allowed in `' ~ (text | trim) ~ '`'}) }}
    {%- endif -%}
    {%- set tokens = siyu.tag_expression_tokens(text) -%}
    {%- set parts = [] -%}
    {%- set state = namespace(expect='value', stack=[], skip=0, after_case=false, problem=none) -%}
    {%- for token in tokens -%}
        {%- set following = tokens[loop.index0 + 1] if loop.index0 + 1 < tokens | length else none -%}
        {%- set following_word = following.word if following is not none else none -%}
        {%- set following_text = following.text if following is not none else none -%}
        {%- set after_case = state.after_case -%}
        {%- set state.after_case = false -%}
        {%- if state.problem is not none -%}
            {#- stop at the first problem -#}
        {%- elif state.skip > 0 -%}
            {%- set state.skip = state.skip - 1 -%}
        {%- elif token.kind == 'other' -%}
            {%- set state.problem = 'unexpected character "' ~ token.text ~ '"' -%}
        {%- elif state.expect == 'value' -%}
            {#- ---- a value (operand) is expected ---- -#}
            {%- if token.kind in ['number', 'string'] -%}
                {%- do parts.append({'kind': 'sql', 'text': token.text}) -%}
                {%- set state.expect = 'operator' -%}
            {%- elif token.kind == 'reference' and token.function == 'tag' -%}
                {%- do parts.append({'kind': 'tag', 'name': token.name}) -%}
                {%- set state.expect = 'operator' -%}
            {%- elif token.kind == 'reference' -%}
                {%- set value = var(token.name, none) -%}
                {%- if value is none -%}
                    {%- set state.problem = 'unknown or empty dbt var "' ~ token.name ~ '"' -%}
                {%- elif value is boolean -%}
                    {%- do parts.append({'kind': 'sql', 'text': 'true' if value else 'false'}) -%}
                {%- elif value is number -%}
                    {%- do parts.append({'kind': 'sql', 'text': value | string}) -%}
                {%- elif value is string -%}
                    {%- do parts.append({'kind': 'sql', 'text': siyu.tag_sql_literal(value)}) -%}
                {%- else -%}
                    {%- set state.problem = 'dbt var "' ~ token.name ~ '" is not a number, text or boolean' -%}
                {%- endif -%}
                {%- set state.expect = 'operator' -%}
            {%- elif token.kind == 'symbol' and token.text == '(' -%}
                {%- do parts.append({'kind': 'sql', 'text': '('}) -%}
                {%- do state.stack.append('group') -%}
            {%- elif token.kind == 'symbol' and token.text in ['-', '+'] -%}
                {%- do parts.append({'kind': 'sql', 'text': token.text}) -%}
            {%- elif token.kind == 'symbol' -%}
                {%- set state.problem = 'a value is missing before "' ~ token.text ~ '"' -%}
            {%- elif token.word in ['null', 'true', 'false'] -%}
                {%- do parts.append({'kind': 'sql', 'text': token.word}) -%}
                {%- set state.expect = 'operator' -%}
            {%- elif token.word == 'not' -%}
                {%- do parts.append({'kind': 'sql', 'text': 'not'}) -%}
            {%- elif token.word == 'case' -%}
                {%- do parts.append({'kind': 'sql', 'text': 'case'}) -%}
                {%- do state.stack.append('case') -%}
                {%- set state.after_case = true -%}
            {%- elif token.word == 'when' and after_case -%}
                {%- do parts.append({'kind': 'sql', 'text': 'when'}) -%}
            {%- elif token.word in functions and following_text == '(' -%}
                {%- do parts.append({'kind': 'sql', 'text': token.word ~ '('}) -%}
                {%- do state.stack.append('call') -%}
                {%- set state.skip = 1 -%}
            {%- elif token.word in ['tag', 'var'] -%}
                {%- set state.problem = token.word ~ "() takes one quoted name, e.g. " ~ token.word ~ "('name')" -%}
            {%- elif following_text == '(' -%}
                {%- set state.problem = 'unknown function "' ~ token.text ~ '" (allowed: ' ~ functions | join(', ') ~ ')' -%}
            {%- elif token.word in keywords -%}
                {%- set state.problem = 'a value is missing before "' ~ token.text ~ '"' -%}
            {%- else -%}
                {%- do parts.append({'kind': 'name', 'name': token.word}) -%}
                {%- set state.expect = 'operator' -%}
            {%- endif -%}
        {%- else -%}
            {#- ---- an operator (or the end) is expected ---- -#}
            {%- if token.kind == 'symbol' and token.text in binary_symbols -%}
                {%- do parts.append({'kind': 'sql', 'text': token.text}) -%}
                {%- set state.expect = 'value' -%}
            {%- elif token.kind == 'symbol' and token.text == ',' -%}
                {%- if state.stack and state.stack[-1] in ['call', 'list'] -%}
                    {%- do parts.append({'kind': 'sql', 'text': ','}) -%}
                    {%- set state.expect = 'value' -%}
                {%- else -%}
                    {%- set state.problem = 'unexpected ","' -%}
                {%- endif -%}
            {%- elif token.kind == 'symbol' and token.text == ')' -%}
                {%- if state.stack and state.stack[-1] in ['group', 'call', 'list'] -%}
                    {%- do parts.append({'kind': 'sql', 'text': ')'}) -%}
                    {%- do state.stack.pop() -%}
                {%- else -%}
                    {%- set state.problem = 'unbalanced ")"' -%}
                {%- endif -%}
            {%- elif token.word in binary_words -%}
                {%- do parts.append({'kind': 'sql', 'text': token.word}) -%}
                {%- set state.expect = 'value' -%}
            {%- elif token.word == 'is' -%}
                {%- if following_word in ['null', 'not', 'true', 'false'] -%}
                    {%- do parts.append({'kind': 'sql', 'text': 'is'}) -%}
                    {%- set state.expect = 'value' -%}
                {%- else -%}
                    {%- set state.problem = '"is" must be followed by null, not null, true or false' -%}
                {%- endif -%}
            {%- elif token.word == 'not' -%}
                {%- if following_word in ['in', 'like', 'between'] -%}
                    {%- do parts.append({'kind': 'sql', 'text': 'not'}) -%}
                {%- else -%}
                    {%- set state.problem = '"not" here must be followed by in, like or between' -%}
                {%- endif -%}
            {%- elif token.word == 'in' -%}
                {%- if following_text == '(' -%}
                    {%- do parts.append({'kind': 'sql', 'text': 'in ('}) -%}
                    {%- do state.stack.append('list') -%}
                    {%- set state.skip = 1 -%}
                    {%- set state.expect = 'value' -%}
                {%- else -%}
                    {%- set state.problem = '"in" must be followed by a list in parentheses' -%}
                {%- endif -%}
            {%- elif token.word in ['when', 'then', 'else'] -%}
                {%- if state.stack and state.stack[-1] == 'case' -%}
                    {%- do parts.append({'kind': 'sql', 'text': token.word}) -%}
                    {%- set state.expect = 'value' -%}
                {%- else -%}
                    {%- set state.problem = '"' ~ token.text ~ '" outside case ... end' -%}
                {%- endif -%}
            {%- elif token.word == 'end' -%}
                {%- if state.stack and state.stack[-1] == 'case' -%}
                    {%- do parts.append({'kind': 'sql', 'text': 'end'}) -%}
                    {%- do state.stack.pop() -%}
                {%- else -%}
                    {%- set state.problem = '"end" without case' -%}
                {%- endif -%}
            {%- else -%}
                {%- set state.problem = 'an operator (and, or, =, <, ...) is missing before "' ~ token.text ~ '"' -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if state.problem is none and state.stack -%}
        {%- set state.problem = 'unclosed ' ~ ('case (no end)' if state.stack[-1] == 'case' else '"("') -%}
    {%- endif -%}
    {%- if state.problem is none and state.expect == 'value' -%}
        {%- set state.problem = 'the expression ends where a value is expected' -%}
    {%- endif -%}
    {%- if state.problem is not none -%}
        {{ return({'parts': parts, 'problem': state.problem ~ ' in `' ~ (text | trim) ~ '`'}) }}
    {%- endif -%}
    {{ return({'parts': parts, 'problem': none}) }}
{%- endmacro %}
