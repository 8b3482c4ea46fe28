{#-
    Data test on int_tags__customer_features: fails for every column that is in the model but not
    in tag_feature_columns() (so rules cannot use it), or listed there but missing from the model
    or from the model's YAML documentation.
-#}
{% test feature_columns_match_list(model) %}
    {%- set listed = siyu.tag_feature_columns() -%}
    {%- set built = [] -%}
    {%- set documented = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(model) -%}
            {%- do built.append(column.name | lower) -%}
        {%- endfor -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.alias == model.identifier -%}
            {%- for column in node.columns -%}
                {%- do documented.append(column | lower) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set problems = [] -%}
    {%- for column in built if column not in listed -%}
        {%- do problems.append([column, 'built but not in tag_feature_columns()']) -%}
    {%- endfor -%}
    {%- for column in listed -%}
        {%- if execute and column not in built -%}
            {%- do problems.append([column, 'in tag_feature_columns() but not built']) -%}
        {%- endif -%}
        {%- if execute and column not in documented -%}
            {%- do problems.append([column, 'in tag_feature_columns() but not documented']) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for column, problem in problems %}
        select '{{ column }}' as column_name, '{{ problem }}' as problem
        union all
    {%- endfor %}
    select cast(null as {{ dbt.type_string() }}) as column_name, cast(null as {{ dbt.type_string() }}) as problem
    where false
{% endtest %}
