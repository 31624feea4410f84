{{ per_document_intermediate() }}
-- Every reading of every fact.  A fact is identified by what it measures
-- (kind, funding scope, item, measure, subject code, project, year); the same
-- fact may be read in several places.  The table reading wins (公开01表 first),
-- then the earliest line; all readings stay here, and their agreement is an
-- identity check (fct_identity_check, family readings_agree).
-- r: not materialized in a full build (each use reads its columns); in an incremental one the few documents'
-- readings, computed once (slice_cte, macros/incremental.sql)
-- Not copied here: snippet, the longest text of a reading (≈ 86 bytes), which no reader of the readings or of the
-- facts uses; int_observations keeps it for the models of observations (bench/README.md, "Build, fourteenth round").
with r as {{ slice_cte() }} (
    select
        * exclude (snippet),
        -- the key the rank is joined back by (row_key, below)
        {{ row_key() }} as row_key,
        concat_ws('|',
            kind, coalesce(scope, ''), coalesce(item_key, ''), measure,
            coalesce(function_code_resolved, case when is_function_subject then 'unresolved:' || subject_name end, ''),
            coalesce(economic_code_resolved, case when kind = 'expenditure_economic' then subject_name end, ''),
            coalesce(project_key, ''), coalesce(entity, ''), fiscal_year::varchar
        ) as fact_key,
        -- the same metric, whatever the measure and year: links 金额, 预算, 占比, 同比 of one subject
        concat_ws('|',
            kind, coalesce(scope, ''), coalesce(item_key, ''),
            coalesce(function_code_resolved, case when is_function_subject then 'unresolved:' || subject_name end, ''),
            coalesce(economic_code_resolved, case when kind = 'expenditure_economic' then subject_name end, ''),
            coalesce(project_key, ''), coalesce(entity, '')
        ) as metric_key
    from {{ of_new_documents(ref('int_observations')) }}
    where kind not in ('other', 'indicator') and is_unit_level
),

-- The rank over the keys alone, joined back: a window over the wide rows sorted (and at 10,000 reports spilled)
-- every column of 2.5 M readings (int_fact_readings alone 22.6 -> 11.5 CPU-s, same rows).  The key of the join:
-- in a full build the row's position in int_observations (rowid: both uses of r scan that one table in one
-- statement), an integer, where the hash join on the VARCHAR observation_id of 2.5 M readings cost a tenth or
-- more of the model (bench/README.md, "Build, twelfth round"); an incremental build's r is a slice of a few
-- documents, a subquery (no rowid), joined by observation_id.
ranked as (
    select
        row_key,
        row_number() over (
            partition by doc_id, fact_key
            order by source_kind = 'table' desc, table_code nulls last, line_no, seq
        ) as reading_rank,
        count(*) over (partition by doc_id, fact_key) as reading_count
    from r
)
select r.* exclude (row_key), k.reading_rank, k.reading_count
from r
inner join ranked as k on r.row_key = k.row_key
