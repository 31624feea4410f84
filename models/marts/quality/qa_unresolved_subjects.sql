-- Figures printed with a 功能分类 name that could not be resolved to a code:
-- they are kept here (with the reason) instead of being dropped.
select
    o.doc_id, d.unit_id, o.fiscal_year, o.kind, o.scope, o.item, o.measure, o.value, o.subject_name,
    r.note as reason, o.source_ref, o.snippet
from {{ ref('int_observations') }} o
join {{ ref('stg_documents') }} d on d.doc_id = o.doc_id
join {{ ref('int_function_subject_resolution') }} r on r.subject_name = o.subject_name
where o.function_code is null and r.function_code is null
