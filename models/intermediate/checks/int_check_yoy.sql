{{ per_document_intermediate('prior_year') }}
-- Stated year-over-year change = the difference of the two years:
--   against the unit's previous report when it is in the warehouse, and
--   against a prior-year figure the report itself states.
-- Incremental: a report is rebuilt when it or a report of its unit's previous year changed
-- (counterpart 'prior_year', macros/comparisons.sql).
with checks as (
    with f as {{ slice_cte() }} (
        select * from {{ of_units_of_new_documents(ref('int_facts'), 'prior_year') }}
    ),
    rebuilt as not materialized (
        select * from {{ of_new_documents(ref('int_facts'), 'prior_year') }}
    ),
    changes as (
        select * from rebuilt where measure = 'yoy_change' and is_report_year
    ),
    current_amounts as (
        select * from rebuilt where measure in ('amount', 'actual') and is_report_year
    ),
    prior_doc as (
        select c.observation_id as change_id, a.observation_id as current_id, p.observation_id as prior_id,
               'yoy_change_matches_prior_report' as check_name
        from changes c
        join current_amounts a on a.doc_id = c.doc_id and a.metric_key = c.metric_key
        join f p on p.unit_id = c.unit_id and p.doc_id <> c.doc_id and p.metric_key = c.metric_key
            and p.is_report_year and p.fiscal_year = c.fiscal_year - 1 and p.measure = a.measure
    ),
    prior_stated as (
        select c.observation_id as change_id, a.observation_id as current_id, p.observation_id as prior_id,
               'yoy_change_matches_stated_prior_year' as check_name
        from changes c
        join current_amounts a on a.doc_id = c.doc_id and a.metric_key = c.metric_key
        join f p on p.doc_id = c.doc_id and p.metric_key = c.metric_key and not p.is_report_year
            and p.fiscal_year = c.fiscal_year - 1 and p.measure = a.measure
    ),
    pairs as (
        select * from prior_doc union all select * from prior_stated
    ),
    used as (
        -- the readings the pairs name, each joined by id below (macros/tolerance.sql)
        {{ readings_of_pairs('pairs', 'f', ids=('change_id', 'current_id', 'prior_id')) }}
    )
    select
        'yoy' as check_family,
        p.check_name,
        'Stated change on the prior year = this year − prior year' as description,
        c.doc_id,
        c.fiscal_year,
        {{ fact_label('c') }} as subject,
        '=' as comparison,
        c.value as lhs,
        a.value - pr.value as rhs,
        c.half_unit + a.half_unit + pr.half_unit as tolerance,
        {{ reading_ref('c') }} as lhs_refs,
        {{ reading_ref('a') }} || ' − ' || {{ reading_ref('pr') }} || case when pr.doc_id <> c.doc_id then ' (report ' || pr.doc_id || ')' else '' end as rhs_refs
    from pairs p
    join used c on c.observation_id = p.change_id
    join used a on a.observation_id = p.current_id
    join used pr on pr.observation_id = p.prior_id
)

{{ identity_checks('checks', 'prior_year') }}
