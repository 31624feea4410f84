{{ config(materialized='table') }}
-- A table, not a view: a dozen models and every per-document post-hook read it; the version
-- ranking is computed once per build.
-- Every current or failed document (staging.stg_documents) with whether it feeds the facts and,
-- when it does not, why.
--
-- Isolation: only a parsed (ok / partial) report with a unit and a year can feed
-- the facts.  Anything else — a file that could not be read, a file that is not a
-- report (README, manifest, a text without figures), a report without unit or year —
-- is kept here with its reason and never reaches a fact, a dimension or a key, so one
-- document's content cannot fail the build.
--
-- Basis: a 部门决算 / 单位决算 is a final account (basis 'final', feeding the 决算 marts
-- fct_revenue, fct_expenditure, …); a 部门预算 / 单位预算 is a budget (basis 'budget',
-- feeding only the fct_budget_* marts).  Each basis counts its own version, so a
-- unit-year has at most one counted final account and one counted budget, and a
-- figure never counts in both.
--
-- Versions: a unit-year can be published more than once (a 汇总 and a 本级 report,
-- a corrected re-issue, a copy cut short, a spreadsheet of a few tables).  All are
-- kept; exactly one per basis counts (is_loaded): never a copy cut short of another version (a file
-- whose figures are the beginning of that version's, ingest.truncation.cut_copies: it may have lost
-- its 汇总 mark, its 目录, its time is later), then the consolidated report first, then the
-- unmarked, own and balance ones; among equals the most complete — most of the parts,
-- sections and tables a 目录 lists actually present (a copy cut short loses its tail;
-- an excerpt has none), figures read (at least 90% of the version that read the most
-- counts as complete: a 5-row spreadsheet never replaces a report), parsed without
-- error, most standard tables read — and only then the newest.
-- marts.qa_document_versions shows every choice with the loser's reason.
with docs as (
    select * from {{ ref('stg_documents') }}
),
attributed as (
    select *,
        case
            when status = 'failed' then 'failed'
            when status = 'not_a_report' then 'not_a_report'
            when status = 'unattributed' or unit_id is null or fiscal_year is null then 'unattributed'
            when status not in ('ok', 'partial') then 'failed'
        end as exclusion,
        -- the order of preference among versions of one unit-year (1 = counted)
        case unit_scope when 'consolidated' then 0 when 'own' then 2 when 'balance' then 3 else 1 end as scope_rank
    from docs
),
candidates as (
    select *,
        max(observation_count) over (partition by unit_id, fiscal_year, basis, scope_rank) as most_figures
    from attributed
    where exclusion is null
),
cut as (
    -- a copy cut short of another candidate of its unit-year and basis
    select c.doc_id from candidates c
    join candidates w on w.doc_id = c.cut_short_of and w.unit_id = c.unit_id and w.fiscal_year = c.fiscal_year
        and w.basis = c.basis
),
flagged as (
    select *, doc_id in (select doc_id from cut) as is_cut_copy from candidates
),
ranked as (
    select *,
        observation_count >= 0.9 * most_figures as figures_complete,
        row_number() over (
            partition by unit_id, fiscal_year, basis
            order by is_cut_copy, scope_rank, toc_found desc, observation_count >= 0.9 * most_figures desc,
                     case status when 'ok' then 0 else 1 end, standard_tables desc, ingested_at desc, doc_id
        ) as version_rank
    from flagged
),
chosen as (
    select r.doc_id, r.version_rank, r.figures_complete, w.doc_id as preferred_doc_id,
        case
            when r.version_rank = 1 then null
            when r.is_cut_copy and not w.is_cut_copy then 'incomplete: a copy cut short of doc_id ' || left(r.cut_short_of, 16)
            when r.scope_rank <> w.scope_rank then 'scope: the ' || coalesce(w.unit_scope, 'unmarked') || ' report counts before the '
                || coalesce(r.unit_scope, 'unmarked') || ' one'
            when r.toc_found <> w.toc_found then 'incomplete: ' || r.toc_found || ' parts, sections and tables of a 目录 present against '
                || w.toc_found
            when r.figures_complete <> w.figures_complete then 'incomplete: ' || r.observation_count || ' figures read against '
                || w.observation_count
            when r.status <> w.status then 'incomplete: ' || r.status || ' (' || coalesce(r.error, '') || ') against ok'
            when r.standard_tables <> w.standard_tables then 'incomplete: ' || r.standard_tables || ' standard tables read against '
                || w.standard_tables
            when r.ingested_at <> w.ingested_at then 'older: equally complete, ingested ' || strftime(r.ingested_at, '%Y-%m-%d %H:%M:%S')
                || ' against ' || strftime(w.ingested_at, '%Y-%m-%d %H:%M:%S')
            else 'equal: the same completeness and time, the smaller doc_id counts'
        end as version_reason
    from ranked r
    join ranked w on w.unit_id = r.unit_id and w.fiscal_year = r.fiscal_year and w.basis = r.basis
        and w.version_rank = 1
)
select
    a.* exclude (exclusion, scope_rank),
    a.status in ('ok', 'partial') as is_usable,
    coalesce(c.version_rank = 1, false) as is_loaded,
    c.version_rank,
    c.figures_complete,
    case when c.version_rank > 1 then c.preferred_doc_id end as shadowed_by,
    coalesce(a.exclusion, case when c.version_rank > 1 then 'shadowed' end) as exclusion,
    case coalesce(a.exclusion, case when c.version_rank > 1 then 'shadowed' end)
        when 'failed' then 'could not be read: ' || coalesce(a.error, 'unknown error')
        when 'not_a_report' then 'not a report: ' || coalesce(a.error, 'no figures of a report found')
        when 'unattributed' then 'not attributable: ' || concat_ws(' and ',
            case when a.fiscal_year is null then 'no fiscal year' end,
            case when a.unit_id is null then 'no reporting unit' end) || ' found in the text'
        when 'shadowed' then 'another version of this unit-year counts — ' || c.version_reason
    end as exclusion_reason,
    -- what the rows derived from a document depend on: a per-document table whose rows of the document
    -- carry another state rebuilds them (a new reading, a report relabelled 预算, a unit or year corrected)
    md5(concat_ws('|', a.doc_id, a.ingested_at, a.basis, a.unit_id, a.fiscal_year)) as state_key
from attributed a
left join chosen c on c.doc_id = a.doc_id
