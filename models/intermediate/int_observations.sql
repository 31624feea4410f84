{{ per_document_intermediate() }}
-- Every figure of a counted document (int_document_versions.is_loaded) with its unit, resolved codes,
-- and what it counts as (a figure without a year of its own is of the report's year).  One row per
-- observation by construction: every join is on a unique key (an 经济分类 name printed
-- under two codes — 其他支出 is 399 and 39999 — resolves to none and is listed in
-- marts.qa_unresolved_subjects instead of fanning the figure out).  The reader's own place of a figure (locator,
-- table_no, col_no) is not copied: no model reads it past staging, and source_ref names the place (bench/README.md,
-- "Build, fourteenth round").
with economic_names as (
    select name,
        case when count(*) = 1 then min(economic_code) end as economic_code,
        string_agg(economic_code, ', ' order by economic_code) as codes
    from {{ ref('economic_subjects') }}
    group by name
)
select
    o.* exclude (agency_table, locator, table_no, col_no) replace (
        -- a table of its own (机关运行经费支出表, or the 机关运行经费 column of a 三公 table) is read as kind other;
        -- its total is the 机关运行经费 (agency_table below)
        case when o.agency_table then 'agency_operation' else o.kind end as kind,
        case when o.agency_table then 'total' else o.item end as item,
        case when o.agency_table then null else o.scope end as scope,
        coalesce(o.fiscal_year, d.fiscal_year) as fiscal_year,
        -- in a 决算, a bare 预算 of a revenue/expenditure item is the 年初预算 (三公's 预算数 is the 全年预算);
        -- in a 预算 report every 预算 / 年初预算 of the year is the published budget itself: 'budget', so the
        -- prose and the tables state one fact
        case when d.basis = 'final' and o.kind in ('revenue', 'expenditure') and o.measure = 'budget' then 'budget_initial'
             when d.basis = 'budget' and o.kind in ('revenue', 'expenditure') and o.measure = 'budget_initial' then 'budget'
             -- 机关运行经费: a budget's (prose 预算 / 年初预算, a table's figure) is the published budget, a 决算 table's the amount
             when d.basis = 'budget' and (o.kind = 'agency_operation' or o.agency_table)
                  and o.measure in ('budget_initial', 'value') then 'budget'
             when o.agency_table and o.measure = 'value' then 'amount'
             else o.measure end as measure
    ),
    o.measure as measure_as_read,
    d.unit_id,
    d.basis,
    d.fiscal_year as report_year,
    coalesce(o.fiscal_year, d.fiscal_year) = d.fiscal_year as is_report_year,
    o.flags not like '%project_section%' as is_unit_level,
    coalesce(o.function_code, r.function_code) as function_code_resolved,
    r.resolution as function_resolution,
    o.kind in ('expenditure', 'revenue')
        and (o.function_code is not null or r.subject_name is not null) as is_function_subject,
    coalesce(o.economic_code, e.economic_code) as economic_code_resolved,
    -- a project's budget and execution are its "total" whether a table or the prose says so
    case when o.agency_table then 'total'
         when o.kind = 'project' and o.item is null and o.measure not in ('score', 'max_score') then 'total' else o.item end
        as item_key,
    case when o.kind = 'staff' then o.subject_name end as entity,
    d.ingested_at as document_ingested_at,
    d.state_key as document_state
from (
    -- agency_table: a figure of kind other (a table no template describes, or a template's unmapped cell) whose
    -- labels name 机关运行经费 and whose row is its total — the column names it and the row is 合计/总计, or the
    -- row label (with its column) names it; not a change (增减, 比上年) nor a share (占, %).
    -- A case, not an and: DuckDB evaluates every operand of an and in a select list on every row, so these four
    -- regular expressions ran on all observations (0.67 CPU-s at 10,000 generated reports, none of them of kind
    -- other); a case evaluates its then on the rows of kind other alone (0.01 CPU-s).
    select *,
        case when kind = 'other' then
            not regexp_matches(coalesce(item, '') || '/' || coalesce(subject_name, ''), '增|减|比上年|上年|占|%|％')
            and (regexp_matches(coalesce(item, ''), '机关运行经费') and regexp_matches(coalesce(subject_name, ''), '^\s*[合总]\s*计\s*$')
                 or regexp_matches(coalesce(subject_name, ''), '^[^0-9]*机关运行经费'))
        else false end as agency_table
    from {{ ref('stg_observations') }}
) o
join {{ ref('int_document_versions') }} d on d.doc_id = o.doc_id and d.is_loaded
-- only a figure printed with a 功能分类 name is resolved by it, so a figure's code depends on the figure alone, not on
-- the names other documents print (macros/function_subjects.sql): an incremental build gives a full build's rows
left join {{ ref('int_function_subject_resolution') }} r on r.subject_name = o.subject_name and {{ is_named_function_subject('o') }}
left join economic_names e on o.kind = 'expenditure_economic' and o.economic_code is null and e.name = o.subject_name
{% if is_incremental() %}where o.doc_id in ({{ new_documents() }}){% endif %}
