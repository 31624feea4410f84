-- Document versions that count: the current version of each file, and files that failed to load
-- (superseded versions are history only).  Renamed and typed only; which version of a unit-year
-- feeds the facts is decided in intermediate.int_document_versions.
select
    doc_id,
    source_path,
    source_file,
    format,
    encoding,
    size_bytes,
    case when unit_name is not null then substr(md5(unit_name), 1, 12) end as unit_id,
    unit_name,
    unit_name_raw,
    unit_scope,
    fiscal_year,
    report_kind,
    case when report_kind like '%预算%' then 'budget' else 'final' end as basis,
    sector,
    province,
    city,
    county,
    adcode,
    status,
    error,
    error_place,
    parser_version,
    parse_ms,
    observation_count,
    reject_count,
    indicator_count,
    coalesce(standard_tables, 0) as standard_tables,
    coalesce(toc_promised, 0) as toc_promised,
    coalesce(toc_missing, 0) as toc_missing,
    coalesce(toc_promised, 0) - coalesce(toc_missing, 0) as toc_found,
    is_current,
    ingested_at,
    run_id
from {{ source('raw', 'documents') }}
where is_current or status = 'failed'
