-- Current and failed document versions (superseded versions are history only).
-- A unit-year can be published more than once (a 汇总 and a 本级 report, or a
-- corrected re-issue under a new file name).  Exactly one of them feeds the facts
-- (is_loaded), so no figure is counted twice: the consolidated report first, then
-- the unmarked, own and balance ones; among equals the complete, then the newest.
with docs as (
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
    is_current,
    is_current and status in ('ok', 'partial') as is_usable,
    ingested_at,
    run_id
from {{ source('raw', 'documents') }}
where is_current or status = 'failed'
),
ranked as (
    select *,
        row_number() over (
            partition by coalesce(unit_id, doc_id), fiscal_year, report_kind, is_usable
            order by case unit_scope when 'consolidated' then 0 when 'own' then 2 when 'balance' then 3 else 1 end,
                     case status when 'ok' then 0 else 1 end, ingested_at desc, doc_id
        ) as version_rank,
        first_value(doc_id) over (
            partition by coalesce(unit_id, doc_id), fiscal_year, report_kind, is_usable
            order by case unit_scope when 'consolidated' then 0 when 'own' then 2 when 'balance' then 3 else 1 end,
                     case status when 'ok' then 0 else 1 end, ingested_at desc, doc_id
        ) as preferred_doc_id
    from docs
)
select
    * exclude (version_rank, preferred_doc_id),
    is_usable and version_rank = 1 as is_loaded,
    case when is_usable and version_rank > 1 then preferred_doc_id end as shadowed_by
from ranked
