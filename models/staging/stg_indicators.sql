select
    i.doc_id,
    i.indicator_no,
    i.doc_id || '-' || i.indicator_no as indicator_id,
    i.project,
    i.project_kind,
    i.project_key,
    i.level1,
    i.level2,
    i.indicator,
    i.nature,
    i.direction,
    i.target_text,
    i.actual_text,
    i.unit_text,
    i.weight,
    i.score,
    i.completion_text,
    i.deviation_reason,
    i.line_no,
    i.source_ref,
    i.layout
from {{ source('raw', 'indicators') }} i
join {{ ref('stg_documents') }} d on d.doc_id = i.doc_id and d.is_loaded
