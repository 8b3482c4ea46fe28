{#-
    The funnel stages each customer has reached as of as_of_at(), one row per customer and stage,
    with when and by what evidence the stage was first reached. The rules are data: seed
    funnel_stage_evidence maps evidence types to stages, seed funnel_stages orders the stages.

    Incremental on DuckDB, as int_funnel__stage_evidence: the customers int_funnel__touched_customers
    lists are computed again, from their evidence.
-#}
{{ config(pre_hook="{{ remove_touched_customers(ref('int_funnel__touched_customers')) }}") }}
-- depends_on: {{ ref('int_funnel__touched_customers') }}
with

evidence as (
    select * from {{ ref('int_funnel__stage_evidence') }}
    {{ only_touched_customers(ref('int_funnel__touched_customers')) }}
),

stage_evidence as (
    select * from {{ ref('funnel_stage_evidence') }}
),

stages as (
    select * from {{ ref('funnel_stages') }}
),

evidence_for_stage as (
    select
        evidence.customer_id,
        stage_evidence.stage,
        evidence.evidence_type,
        evidence.evidence_at,
        evidence.evidence_key,
        evidence.evidence_channel
    from evidence
    inner join stage_evidence
        on evidence.evidence_type = stage_evidence.evidence_type
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id, stage order by evidence_at, evidence_type, evidence_key
        ) as evidence_rank
    from evidence_for_stage
),

first_reached as (
    select
        ranked.customer_id,
        ranked.stage,
        stages.stage_order,
        ranked.evidence_at as reached_at,
        ranked.evidence_type as reached_by,
        ranked.evidence_key,
        ranked.evidence_channel
    from ranked
    inner join stages
        on ranked.stage = stages.stage
    where ranked.evidence_rank = 1
)

select * from first_reached
