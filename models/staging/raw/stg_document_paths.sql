-- Every path a document's bytes were found under, and when first.
select
    doc_id,
    source_path,
    first_seen
from {{ source('raw', 'document_paths') }}
