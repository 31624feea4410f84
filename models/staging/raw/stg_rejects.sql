-- Text that looked like a figure but was not attributed, with the reason.
select
    doc_id || '-' || seq as reject_id,
    doc_id,
    seq,
    line_no,
    source_ref,
    value_text,
    reason,
    snippet,
    source_kind
from {{ source('raw', 'rejects') }}
