-- Problems the parser found, per document (an error makes the document partial).
select
    doc_id || '-' || row_number() over (partition by doc_id order by severity, place, message) as issue_id,
    doc_id,
    severity,
    place,
    message
from {{ source('raw', 'parse_issues') }}
