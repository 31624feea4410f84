select p.doc_id, p.severity, p.place, p.message
from {{ source('raw', 'parse_issues') }} p
join {{ ref('stg_documents') }} d on d.doc_id = p.doc_id and d.is_current
