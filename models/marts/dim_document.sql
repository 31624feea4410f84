-- One row per ingested file version that counts (current versions and failures), with why it
-- does or does not feed the facts (exclusion, exclusion_reason) and what its completeness was.
select
    d.doc_id,
    d.source_file,
    d.source_path,
    d.format,
    d.encoding,
    d.size_bytes,
    d.unit_id,
    d.unit_name_raw as unit_name_as_printed,
    d.unit_scope,
    d.fiscal_year,
    d.report_kind,
    d.status,
    d.error,
    d.error_place,
    d.is_loaded as counted_in_facts,
    d.shadowed_by,
    d.exclusion,
    d.exclusion_reason,
    d.version_rank,
    d.standard_tables,
    d.toc_promised,
    d.toc_missing,
    coalesce(f.fact_count, 0) as fact_count,
    coalesce(d.observation_count, 0) as observation_count,
    coalesce(d.reject_count, 0) as reject_count,
    coalesce(d.indicator_count, 0) as indicator_count,
    d.parser_version,
    d.parse_ms,
    d.ingested_at
from {{ ref('stg_documents') }} d
left join (select doc_id, count(*) as fact_count from {{ ref('int_facts') }} group by doc_id) f on f.doc_id = d.doc_id
