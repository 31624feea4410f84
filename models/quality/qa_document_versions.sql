-- Every unit-year published in more than one file: all versions, which one counts
-- and why the others do not (stg_documents: scope, then completeness — the 目录's parts,
-- sections and tables present, figures read, parsed without error, standard tables read — then
-- recency).  The run summary prints the rows where counted_in_facts is false.
with attributable as (
    select *, count(*) over (partition by unit_id, fiscal_year, report_kind) as versions
    from {{ ref('int_document_versions') }}
    where version_rank is not null
)
select
    v.unit_id,
    v.unit_name,
    v.fiscal_year,
    v.report_kind,
    v.versions,
    v.version_rank,
    v.is_loaded as counted_in_facts,
    v.doc_id,
    v.source_file,
    v.source_path,
    v.unit_scope,
    v.status,
    v.error_place,
    v.toc_promised,
    v.toc_missing,
    v.toc_found,
    v.standard_tables,
    v.observation_count,
    v.figures_complete,
    v.ingested_at,
    v.shadowed_by,
    w.source_file as counted_file,
    v.exclusion_reason as reason
from attributable v
left join {{ ref('int_document_versions') }} w on w.doc_id = v.shadowed_by
where v.versions > 1
