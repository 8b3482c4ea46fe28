{#-
    Checks in proportion to what a build wrote. The row-local tests of the tables kept from run to
    run (customer_tags, the tag log) read only the rows this build wrote, which carry its
    as_of_at() (that every row carries one is checked on every row: a not_null_columns test of
    that column alone, without the filter): in YAML with the placeholder __this_build_as_of__ in
    dbt's `where` config,

        - no_clear_mobile_numbers:
            config:
              where: "computed_at = __this_build_as_of__"

    and in a test's own SQL with this_build_as_of() (tag_catalogue_is_valid). When every row must
    be read, a `where` holding the placeholder is dropped whole: put nothing else in it.

    Exact for siyu's runs: a row kept from an earlier build was checked by the build that wrote
    it, or by the full refresh after it, because a build that fails (a failing test included) or
    is killed, and a build of a subset, leave no incremental basis, so the next build is a full
    refresh (siyu/dbt/incremental.py), as is the first after any change to the project (a test,
    a rule, the catalogue). A full refresh checks every row, and so does Spark. Only a test whose
    verdict on a row depends on that row and the project alone may be filtered: not a key
    (unique across rows), nor a reference to a table built from the data.
-#}

{#- This build's as_of_at(), or none when every row must be checked (and while dbt parses). -#}
{% macro this_build_as_of() -%}
    {%- if not execute or siyu.computes_every_row() -%}
        {%- do return(none) -%}
    {%- endif -%}
    {#- a test cannot ref() a model it was not declared on: the relation from the graph -#}
    {%- do return(siyu.as_of_at(
        graph.nodes['model.siyu.int_identity__customer_ids'].relation_name)) -%}
{%- endmacro %}

{#-
    written_rows(condition): a condition naming the rows this build wrote, with the placeholder
    __this_build_as_of__ filled in; none when every row must be read. For the key tests
    (primary_key, unique_combination, argument `written`): a key repeated after an incremental
    build repeats the key of a row it wrote, because the kept rows were unique when the build
    that left them passed its tests (as above), so only the written rows' keys are counted; the
    rows that share them are found in the whole table (one narrow scan, no grouping of every
    key).
-#}
{% macro written_rows(condition) -%}
    {%- set as_of = siyu.this_build_as_of() if condition else none -%}
    {%- if as_of is none -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- do return(condition | replace('__this_build_as_of__', as_of)) -%}
{%- endmacro %}

{#- dbt's filter of the rows a test reads (config `where`), with the placeholder above. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') or '' -%}
    {%- set placeholder = '__this_build_as_of__' -%}
    {%- if placeholder in where -%}
        {%- set as_of = siyu.this_build_as_of() -%}
        {%- if as_of is none -%}
            {%- do return(relation) -%}
        {%- endif -%}
        {%- set where = where | replace(placeholder, as_of) -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
