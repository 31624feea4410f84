-- Indicator rows of the 绩效自评 tables of counted documents (int_document_versions.is_loaded).
select i.*
from {{ ref('stg_indicators') }} i
join {{ ref('int_document_versions') }} d on d.doc_id = i.doc_id and d.is_loaded
