{{ per_document_incremental() }}
select
    d.unit_id,
    d.fiscal_year,
    i.doc_id,
    i.indicator_id,
    i.indicator_no,
    i.project_key,
    i.project,
    i.project_kind,
    i.level1,
    i.level2,
    i.indicator,
    coalesce(i.direction, i.nature) as direction,
    i.nature,
    i.target_text,
    i.actual_text,
    i.unit_text,
    i.weight,
    i.score,
    i.completion_text,
    i.deviation_reason,
    'table' as source_kind,
    i.source_ref,
    i.layout,
    d.ingested_at
from {{ ref('int_indicators') }} i
join {{ ref('int_document_versions') }} d on d.doc_id = i.doc_id and d.basis = 'final'
where true {{ only_new_documents('d.ingested_at') }}
