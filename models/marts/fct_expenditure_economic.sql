{{ per_document_incremental() }}
-- 基本支出 by 支出经济分类 (公开06表, or the breakdown stated in the prose).
select
    f.unit_id,
    f.fiscal_year,
    f.doc_id,
    f.economic_code_resolved as economic_code,
    e.name as economic_name,
    e.personnel_or_public,
    f.scope as funding_scope,
    f.value as amount_wan,
    f.source_kind,
    f.source_ref,
    f.table_code,
    d.ingested_at
from {{ ref('int_facts') }} f
join {{ ref('int_document_versions') }} d on d.doc_id = f.doc_id and d.basis = 'final'
left join {{ ref('economic_subjects') }} e on e.economic_code = f.economic_code_resolved
where f.kind = 'expenditure_economic' and f.item = 'basic' and f.measure = 'amount' and f.is_report_year
  and f.economic_code_resolved is not null
  {{ only_new_documents('d.ingested_at') }}
