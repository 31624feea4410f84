-- Year-over-year per unit and headline metric.  The prior year comes from the
-- unit's previous report when it is ingested (prior_source = prior_document),
-- otherwise from what the report itself states (a prior-year figure, or the
-- stated change).  Stated change and percentage are kept beside the computed ones.
-- Incremental per unit (macros/comparisons.sql): every row compares a unit's reports with each other, so a
-- unit is rebuilt when one of its reports changed, and nothing else (it was rebuilt whole in every build:
-- the costliest statement of a +100 build at 10,000 reports, 1.5 of ≈ 12 SQL CPU-s).
{{ per_unit_incremental() }}
with metrics as (
    select * from {{ ref('yoy_metrics') }}
),
f as (
    select f.*, m.metric, m.label, m.measure as metric_measure
    from {{ of_new_units(ref('int_facts')) }} f
    join metrics m on m.kind = f.kind and coalesce(m.scope, '') = coalesce(f.scope, '') and m.item = f.item_key
    where f.basis = 'final' and f.function_code_resolved is null and not f.is_function_subject and f.entity is null
),
current as (
    select unit_id, doc_id, report_year as fiscal_year, metric, label, value, source_kind, source_ref
    from f where is_report_year and measure = metric_measure
),
stated as (
    select doc_id, metric,
        max(value) filter (where measure = 'yoy_change' and is_report_year) as stated_change_wan,
        max(value) filter (where measure = 'yoy_change_pct' and is_report_year) as stated_change_pct,
        max(value) filter (where not is_report_year and fiscal_year = report_year - 1
                               and measure = metric_measure) as stated_prior_wan
    from f group by doc_id, metric
),
prior_doc as (
    select c.unit_id, c.fiscal_year + 1 as next_year, c.metric, c.value, c.doc_id
    from current c
)
select
    c.unit_id,
    c.fiscal_year,
    c.doc_id,
    c.metric,
    c.label,
    c.value as value_wan,
    coalesce(p.value, s.stated_prior_wan, c.value - s.stated_change_wan) as prior_value_wan,
    case when p.value is not null then c.value - p.value
         when s.stated_prior_wan is not null then c.value - s.stated_prior_wan
         else s.stated_change_wan end as change_wan,
    round(100.0 * (case when p.value is not null then c.value - p.value
                        when s.stated_prior_wan is not null then c.value - s.stated_prior_wan
                        else s.stated_change_wan end)
          / nullif(coalesce(p.value, s.stated_prior_wan, c.value - s.stated_change_wan), 0), 2) as change_pct,
    case when p.value is not null then 'prior_document' else 'stated_in_text' end as prior_source,
    p.doc_id as prior_doc_id,
    s.stated_change_wan,
    s.stated_change_pct,
    s.stated_prior_wan,
    c.source_kind,
    c.source_ref,
    us.state_key as unit_state
from current c
left join stated s on s.doc_id = c.doc_id and s.metric = c.metric
left join prior_doc p on p.unit_id = c.unit_id and p.next_year = c.fiscal_year and p.metric = c.metric
left join ({{ unit_states() }}) us on us.unit_id = c.unit_id
where p.value is not null or s.stated_change_wan is not null or s.stated_prior_wan is not null
