{{ per_document_intermediate() }}
-- A stated execution or completion rate of 100% says the two amounts are the same amount:
--   "全年预算数 235.76 万元，执行数 235.00 万元，完成预算的 100%" rounds to 100% (99.68%) and passes
-- completion_of_budget, yet 235.00 is not 235.76.  The amounts must agree within their own rounding
-- (half a unit in the last printed digit of each, macros/tolerance.sql).
--
-- The amounts are those completion_of_budget / execution_rate (int_check_ratios) divide: the executed
-- or actual amount over the 年初预算 (完成预算的) or the 全年预算 (执行率), read in the rate's own passage
-- where it states them, else the facts' winning readings.  A rate whose ratio is itself off is that
-- check's finding, not this one's: only a 100% the ratio rounds to is evaluated here.
with checks as (
    -- not materialized in a full build: each use scans the table with its own filters (macros/checks.sql);
    -- materialized in an incremental one: the few documents' rows, selected once (slice_cte, macros/incremental.sql)
    with readings as {{ slice_cte() }} (
        -- row_key: the key the pairs name readings by, as in int_check_ratios (rowid in a full build)
        select *, {{ row_key() }} as row_key
        from {{ of_new_documents(ref('int_fact_readings')) }} where kind not in ('performance')
    ),
    f as not materialized (
        select * from readings where reading_rank = 1
    ),
    stated as (
        select * from readings where measure in ('completion_pct', 'execution_rate') and value = 100
    ),
    budgets as (
        {{ budget_sides('f', id='row_key') }}
    ),
    pairs as (
        -- with the keys of the passage lookup (passage_pairs)
        select s.row_key as stated_id, n.row_key as num_id,
            case when s.measure = 'execution_rate' then b.full_year_id else b.initial_id end as den_id,
            s.doc_id, s.line_no, s.section, s.source_kind, n.fact_key as num_key,
            case when s.measure = 'execution_rate' then b.full_year_key else b.initial_key end as den_key
        from stated s
        join f n on n.doc_id = s.doc_id and n.fiscal_year = s.fiscal_year and n.metric_key = s.metric_key
            and n.measure in ('amount', 'actual', 'executed')
        join budgets b on b.doc_id = s.doc_id and b.fiscal_year = s.fiscal_year and b.metric_key = s.metric_key
    ),
    in_passage as materialized (
        {{ passage_pairs('pairs', readings='readings', id='row_key') }}
    ),
    used as (
        {{ readings_of_pairs('in_passage', 'readings', id='row_key') }}
    ),
    evaluated as (
        select s.*, n.value as num, n.half_unit as num_h, d.value as den, d.half_unit as den_h,
            {{ reading_ref('s') }} || ': ' || {{ reading_ref('n') }} as num_refs, {{ reading_ref('d') }} as den_refs,
            {{ ratio_low('n.value', 'n.half_unit', 'd.value', 'd.half_unit') }} as low,
            {{ ratio_high('n.value', 'n.half_unit', 'd.value', 'd.half_unit') }} as high
        from in_passage p
        join used s on s.row_key = p.stated_id
        join used n on n.row_key = p.num_id
        join used d on d.row_key = p.den_id
    )
    select
        'ratios' as check_family,
        'full_rate_amounts_equal' as check_name,
        'A stated rate of 100%: executed / actual = the budget it is a rate of' as description,
        doc_id,
        fiscal_year,
        {{ fact_label('evaluated') }} as subject,
        '=' as comparison,
        num as lhs,
        den as rhs,
        num_h + den_h as tolerance,
        num_refs as lhs_refs,
        den_refs as rhs_refs
    from evaluated
    -- the ratio rounds to the stated 100% (else completion_of_budget / execution_rate reports it)
    where low is not null and low <= value + half_unit and high >= value - half_unit
)

{{ identity_checks('checks') }}
