{#-
    Returns the checked and compiled tag catalogue (tag_catalogue_checked) of the project: the tags
    listed under `config.meta.siyu_tags` of any model's YAML (models/marts/tags/tag_catalogue.yml),
    in file order. Empty while dbt parses (the graph is not built yet); the data test
    tag_catalogue_is_valid checks the same YAML at parse time.
-#}
{% macro tag_catalogue() -%}
    {%- set entries = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
            {%- set listed = (node.config.meta or {}).get('siyu_tags') if node.resource_type == 'model' else none -%}
            {%- if listed is not none -%}
                {%- set file = (node.patch_path or node.original_file_path).split('://')[-1] -%}
                {%- if listed is string or listed is mapping or listed is not iterable -%}
                    {{ exceptions.raise_compiler_error('siyu tag catalogue, ' ~ file ~ ': siyu_tags must be a list of tags') }}
                {%- endif -%}
                {%- for tag in listed -%}
                    {%- do entries.append({'tag': tag, 'file': file}) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(siyu.tag_catalogue_checked(entries)) }}
{%- endmacro %}
