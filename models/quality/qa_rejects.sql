-- Text that looked like a figure but was not attributed, per document and reason.
select r.reject_id, r.doc_id, d.unit_id, d.source_file, r.line_no, r.source_ref, r.value_text, r.reason, r.snippet
from {{ ref('stg_rejects') }} r
join {{ ref('int_document_versions') }} d on d.doc_id = r.doc_id and d.is_loaded
