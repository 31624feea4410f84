-- Figures the parser read with a correction the document itself forced: a year
-- that contradicts the report's own year (year_typo), 元 printed where the table
-- is in 万元 (unit_typo_yuan), a money figure with no unit (unit_missing).  Each is
-- a small inconsistency of the document, listed here so an analyst can judge it.  Built per document
-- (macros/incremental.sql): an incremental run reads only the observations of new documents.
{{ per_document_intermediate() }}
select
    o.observation_id, o.doc_id, d.unit_id, d.source_file, o.line_no, o.source_ref, o.kind, o.item, o.scope, o.measure_as_read as measure, o.value,
    o.value_text, o.fiscal_year, correction, o.snippet
from {{ of_new_documents(ref('int_observations')) }} o
join {{ ref('int_document_versions') }} d on d.doc_id = o.doc_id,
unnest(string_split(o.flags, ',')) as f(correction)
where correction in ('year_typo', 'unit_typo_yuan', 'unit_missing')
