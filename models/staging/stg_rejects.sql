select r.doc_id, r.seq, r.line_no, r.source_ref, r.value_text, r.reason, r.snippet, r.source_kind
from {{ source('raw', 'rejects') }} r
join {{ ref('stg_documents') }} d on d.doc_id = r.doc_id and d.is_loaded
