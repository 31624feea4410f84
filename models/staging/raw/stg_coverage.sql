-- Figures by kind and rejects by reason, per document, as the ingest counted them.
select
    doc_id,
    category,
    key as coverage_key,
    n as figures
from {{ source('raw', 'coverage') }}
