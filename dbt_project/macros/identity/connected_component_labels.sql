{#-
    Materialises `output` (node_index, component): every node of `nodes` (a relation with
    node_index) labelled with the smallest node_index of its connected component in the
    undirected graph `edges` (left_node_index, right_node_index). The SQL twin of
    siyu/identity/components.py for engines that cannot run the Python model (Spark),
    written as distributed set operations: no collect to one machine.

    Algorithm: alternating large-star and small-star rounds (Kiveris et al., "Connected
    Components in MapReduce and Beyond", SoCC 2014) on the edge set. Both operations keep every
    component connected and never join two components; their only common fixed point is the
    graph in which every component is a star around its smallest node, reached in O(log^2 n)
    rounds (14 for a chain of 5,000 nodes in the worst order). Stop condition: a round (large
    star, then small star) that leaves the edge set exactly as it was, checked by a symmetric
    difference. If var siyu_identity_max_rounds rounds pass without it, the run fails rather
    than returning unfinished components. A node's label is then min(itself, its neighbours).
    Work tables: <output>__star_edges_a/_b/_c, beside output.
-#}
{% macro connected_component_labels(nodes, edges, output) -%}
    {%- set max_rounds = var('siyu_identity_max_rounds') | int -%}
    {%- set work = {} -%}
    {%- for name in ['a', 'b', 'c'] -%}
        {%- do work.update({name: api.Relation.create(
            database=output.database, schema=output.schema,
            identifier=output.identifier ~ '__star_edges_' ~ name, type='table')}) -%}
    {%- endfor -%}
    {%- set initial_edges -%}
        select left_node_index as src, right_node_index as dst from {{ edges }}
        union all
        select right_node_index as src, left_node_index as dst from {{ edges }}
    {%- endset -%}
    {%- do siyu.replace_table(work['a'], siyu.symmetric_edges(initial_edges)) -%}
    {%- set state = namespace(current='a', spare='c', rounds=0, converged=false) -%}
    {%- for round in range(max_rounds) if not state.converged -%}
        {%- do siyu.replace_table(work['b'], siyu.large_star_edges(work[state.current])) -%}
        {%- do siyu.replace_table(work[state.spare], siyu.small_star_edges(work['b'])) -%}
        {%- set changed = siyu.edge_set_difference(work[state.current], work[state.spare]) -%}
        {%- set finished = state.spare -%}
        {%- set state.spare = state.current -%}
        {%- set state.current = finished -%}
        {%- set state.rounds = state.rounds + 1 -%}
        {%- set state.converged = changed == 0 -%}
    {%- endfor -%}
    {%- if not state.converged -%}
        {%- do exceptions.raise_compiler_error(
            'connected_component_labels: the edge set of ' ~ output ~ ' still changed after '
            ~ max_rounds ~ ' rounds; raise var siyu_identity_max_rounds') -%}
    {%- endif -%}
    {%- set labels -%}
        select
            nodes.node_index,
            least(nodes.node_index, coalesce(min(star_edges.dst), nodes.node_index)) as component
        from {{ nodes }} as nodes
        left join {{ work[state.current] }} as star_edges
            on nodes.node_index = star_edges.src
        group by nodes.node_index
    {%- endset -%}
    {%- do siyu.replace_table(output, labels) -%}
    {%- for name in ['a', 'b', 'c'] -%}
        {%- do adapter.drop_relation(work[name]) -%}
    {%- endfor -%}
    {{ return(state.rounds) }}
{%- endmacro %}

{#- Distinct directed pairs of a symmetric pair query, without self loops. -#}
{% macro symmetric_edges(pairs) -%}
    select distinct
        src,
        dst
    from ({{ pairs }}) as pairs
    where src <> dst
{%- endmacro %}

{#- Large star: every neighbour larger than a node is linked to the smallest of the node and its
    neighbours. -#}
{% macro large_star_edges(current) -%}
    {%- set emitted -%}
        with neighbourhood_minimum as (
            select
                src,
                least(src, min(dst)) as smallest
            from {{ current }}
            group by src
        ),

        linked as (
            select
                star_edges.dst as src,
                neighbourhood_minimum.smallest as dst
            from {{ current }} as star_edges
            inner join neighbourhood_minimum
                on star_edges.src = neighbourhood_minimum.src
            where star_edges.dst > star_edges.src
        )

        select src, dst from linked
        union all
        select dst as src, src as dst from linked
    {%- endset -%}
    {{ return(siyu.symmetric_edges(emitted)) }}
{%- endmacro %}

{#- Small star: a node and its smaller neighbours are linked to the smallest of them. -#}
{% macro small_star_edges(current) -%}
    {%- set emitted -%}
        with smaller_neighbours as (
            select
                src,
                dst
            from {{ current }}
            where dst < src
        ),

        smallest_neighbour as (
            select
                src,
                min(dst) as smallest
            from smaller_neighbours
            group by src
        ),

        linked as (
            select
                smaller_neighbours.dst as src,
                smallest_neighbour.smallest as dst
            from smaller_neighbours
            inner join smallest_neighbour
                on smaller_neighbours.src = smallest_neighbour.src
            union all
            select
                src,
                smallest as dst
            from smallest_neighbour
        )

        select src, dst from linked
        union all
        select dst as src, src as dst from linked
    {%- endset -%}
    {{ return(siyu.symmetric_edges(emitted)) }}
{%- endmacro %}

{#- How many pairs are in one edge table and not the other (0: the same edge set). -#}
{% macro edge_set_difference(left, right) -%}
    {%- set difference -%}
        select
            (select count(*) from (select src, dst from {{ left }} except select src, dst from {{ right }}) as only_left)
            + (select count(*) from (select src, dst from {{ right }} except select src, dst from {{ left }}) as only_right)
            as changed
    {%- endset -%}
    {{ return(run_query(difference).columns[0].values()[0] | int) }}
{%- endmacro %}

{#- Drops `relation` if it exists and creates it as the result of `sql`. -#}
{% macro replace_table(relation, sql) -%}
    {%- do adapter.drop_relation(relation) -%}
    {%- do run_query(create_table_as(false, relation, sql)) -%}
{%- endmacro %}
