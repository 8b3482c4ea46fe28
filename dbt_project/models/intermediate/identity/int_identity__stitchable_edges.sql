{#- Enabled edges whose both identifiers are stitchable, as node indexes for the components model. -#}
with

edges as (
    select * from {{ ref('int_identity__edges') }}
),

nodes as (
    select * from {{ ref('int_identity__nodes') }}
),

indexed as (
    select distinct
        left_node.node_index as left_node_index,
        right_node.node_index as right_node_index
    from edges
    inner join nodes as left_node
        on
            edges.left_id_type = left_node.id_type
            and edges.left_id_value = left_node.id_value
    inner join nodes as right_node
        on
            edges.right_id_type = right_node.id_type
            and edges.right_id_value = right_node.id_value
    where edges.is_enabled
)

select * from indexed
