{#-
    Fails for every value of a text column that holds an 11-digit mainland mobile number in clear
    (1[3-9] and nine more digits, optionally +86-prefixed, not inside a longer run of letters or
    digits, so hex hashes and ids do not count; the same rule as siyu/privacy.py, which
    also reads through spaces and dashes). Apply it to every model that
    may have seen a phone: raw phones stop at staging.
    Columns named *_hash are skipped: a keyed hash in hex is not a phone, yet 1 hash in ~300
    holds such a digit run by chance. So are the platform ids in var siyu_pii_scan_exempt_columns
    (an 11-digit WeChat Pay coupon_id looks like a mobile); exclude_columns adds more names.
-#}
{% test no_clear_mobile_numbers(model, exclude_columns=[]) %}
    {%- set mobile_in_text = '(^|[^0-9A-Za-z])(\\+?86)?1[3-9][0-9]{9}([^0-9A-Za-z]|$)' -%}
    {%- set mobile_digits = '1[3-9][0-9]{9}' -%}
    {%- set checked = [] -%}
    {%- if execute -%}
        {#- a test filtered by `where` gets its model as a subquery, whose columns a query gives -#}
        {%- set columns = get_column_schema_from_query('select * from ' ~ model)
            if model is string else adapter.get_columns_in_relation(model) -%}
        {%- for column in columns -%}
            {%- if column.is_string()
                and not column.name.endswith('_hash')
                and column.name not in exclude_columns
                and column.name not in var('siyu_pii_scan_exempt_columns') -%}
                {%- do checked.append(column.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if checked | length == 0 %}
        select cast(null as {{ dbt.type_string() }}) as column_name, cast(null as {{ dbt.type_string() }}) as column_value
        where false
    {%- else -%}
        {%- for column_name in checked %}
            select
                '{{ column_name }}' as column_name,
                cast({{ adapter.quote(column_name) }} as {{ dbt.type_string() }}) as column_value
            from {{ model }}
            {#- the first two conditions follow from the pattern and skip most values cheaply (2x) #}
            {%- set value = 'cast(' ~ adapter.quote(column_name) ~ ' as ' ~ dbt.type_string() ~ ')' %}
            where {{ dbt.length(value) }} >= 11
                and {{ siyu.text_matches(value, mobile_digits) }}
                and {{ siyu.text_matches(value, mobile_in_text) }}
            {{ 'union all' if not loop.last }}
        {%- endfor -%}
    {%- endif -%}
{% endtest %}
