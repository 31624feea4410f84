{{ per_document_incremental() }}
-- One row per project of every 绩效自评 (projects, the department as a whole, and its tasks),
-- from the self-evaluation tables and the prose; the table's figure wins.
with docs as (
    select doc_id, unit_id, fiscal_year, ingested_at from {{ ref('int_document_versions') }}
    where is_loaded and basis = 'final' {{ only_new_documents('ingested_at') }}
),
facts as (
    select f.* from {{ ref('int_facts') }} f join docs d on d.doc_id = f.doc_id
    where f.kind = 'project' and coalesce(f.item_key, 'total') = 'total'
),
named as (
    -- the name printed in the table if there is one, else the first in the prose; one fixed reading
    -- (seq breaks a tie between two cells of a line), so an incremental build equals a full one
    select o.doc_id, o.project_key,
           first(o.project order by o.source_kind <> 'table', o.line_no, o.seq) filter (where o.project is not null)
               as project,
           first(o.project_kind order by o.source_kind <> 'table', o.line_no, o.seq) filter (where o.project_kind is not null)
               as project_kind,
           first(o.source_ref order by o.source_kind <> 'table', o.line_no, o.seq) filter (where o.source_ref is not null)
               as source_ref,
           case when bool_or(o.source_kind = 'table') then 'table' else 'narrative' end as source_kind,
           string_agg(distinct o.source_ref, ', ' order by o.source_ref) as source_refs
    from {{ ref('int_observations') }} o join docs d on d.doc_id = o.doc_id
    where o.project_key is not null
    group by o.doc_id, o.project_key
),
indicators as (
    select doc_id, project_key, count(*) as indicator_count, sum(weight) as indicator_weight_sum,
           sum(score) as indicator_score_sum
    from {{ ref('int_indicators') }} where project_key is not null
    group by doc_id, project_key
),
measures as (
    select doc_id, project_key,
        max(value) filter (where measure = 'budget_initial') as budget_initial_wan,
        max(value) filter (where measure = 'budget_full_year') as budget_full_year_wan,
        max(value) filter (where measure = 'executed') as executed_wan,
        max(value) filter (where measure = 'execution_rate') as execution_rate,
        max(value) filter (where measure = 'score') as score,
        max(value) filter (where measure = 'max_score') as max_score,
        max(value) filter (where measure = 'funding_weight') as funding_weight,
        max(value) filter (where measure = 'funding_score') as funding_score
    from facts group by doc_id, project_key
)
select
    d.unit_id,
    d.fiscal_year,
    n.doc_id,
    n.project_key,
    n.project,
    n.project_kind,
    m.budget_initial_wan,
    m.budget_full_year_wan,
    m.executed_wan,
    m.execution_rate,
    m.score,
    m.max_score,
    m.funding_weight,
    m.funding_score,
    coalesce(i.indicator_count, 0) as indicator_count,
    i.indicator_weight_sum,
    i.indicator_score_sum,
    n.source_kind,
    n.source_ref,
    n.source_refs,
    d.ingested_at
from named n
join docs d on d.doc_id = n.doc_id
left join measures m on m.doc_id = n.doc_id and m.project_key = n.project_key
left join indicators i on i.doc_id = n.doc_id and i.project_key = n.project_key
