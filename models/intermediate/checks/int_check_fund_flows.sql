{{ per_document_intermediate() }}
-- Money of a fund has to go somewhere: a fund (一般公共预算 / 政府性基金预算 / 国有资本经营预算 财政拨款,
-- or 财政拨款 as a whole) with revenue in the year must show it spent, carried over or passed on.
-- A report that states the fund's revenue above zero, states the fund's expenditure as zero
-- ("政府性基金预算财政拨款收入3万元" … "2024年政府性基金预算财政拨款支出0万元"), and states no carry-over
-- above zero (年末结转和结余 of the fund, of 财政拨款 or of the whole unit) nor a 结余分配 or
-- 上缴上级支出 above zero, contradicts itself: the revenue left no trace.
--
-- Only stated figures are used: a fund whose expenditure the report does not state is not evaluated
-- (a report need not break its expenditure down by fund), so there is no false alarm for silence.
-- lhs = the fund's stated expenditure (zero) + every stated way out, which must reach rhs = the fund's
-- revenue (comparison >=); tolerance from the printed figures.
with checks as (
    with f as {{ slice_cte(full='') }} (
        select * from {{ of_new_documents(ref('int_facts')) }}
        where kind in ('revenue', 'expenditure') and measure = 'amount' and is_report_year
          and function_code_resolved is null and not is_function_subject and project_key is null
    ),
    funds(revenue_item, expenditure_scope) as (
        values ('general_budget', 'general_budget'), ('gov_fund', 'gov_fund'), ('state_capital', 'state_capital'),
               ('fiscal_total', 'fiscal')
    ),
    revenue as (
        select r.*, u.expenditure_scope
        from f r join funds u on u.revenue_item = r.item_key
        where r.kind = 'revenue' and coalesce(r.scope, 'all') = 'all' and r.value > 0
    ),
    spent as (
        select r.observation_id as revenue_id, e.value as spent, e.half_unit as spent_h, {{ reading_ref('e') }} as spent_ref
        from revenue r
        join f e on e.doc_id = r.doc_id and e.fiscal_year = r.fiscal_year and e.kind = 'expenditure'
            and e.scope = r.expenditure_scope and e.item_key = 'total'
    ),
    ways_out as (
        -- carried over, distributed or passed on: of the fund, of 财政拨款 or of the whole unit
        select r.observation_id as revenue_id, coalesce(sum(w.value), 0) as out_sum,
            coalesce(sum(w.half_unit), 0) as out_h, count(w.observation_id) as out_count,
            max(w.value) as out_max,
            string_agg({{ reading_ref('w') }} || ' ' || w.item_key, '; ' order by w.line_no) as out_refs
        from revenue r
        left join f w on w.doc_id = r.doc_id and w.fiscal_year = r.fiscal_year and w.kind = 'expenditure'
            and w.item_key in ('carryover_end', 'balance_distribution', 'remit_superior')
            and coalesce(w.scope, 'all') in (r.expenditure_scope, 'fiscal', 'all')
        group by r.observation_id
    )
    select
        'fund_flows' as check_family,
        'fund_revenue_has_a_use' as check_name,
        'A fund''s revenue is spent, carried over or passed on' as description,
        r.doc_id, r.fiscal_year, {{ fact_label('r') }} as subject, '>=' as comparison,
        s.spent + o.out_sum as lhs, r.value as rhs, s.spent_h + o.out_h + r.half_unit as tolerance,
        s.spent_ref || coalesce('; ' || o.out_refs, '; no carry-over, 结余分配 or 上缴上级 stated') as lhs_refs,
        {{ reading_ref('r') }} as rhs_refs
    from revenue r
    join spent s on s.revenue_id = r.observation_id
    join ways_out o on o.revenue_id = r.observation_id
    -- evaluated where the report states the fund's expenditure as zero (its silence says nothing): then what
    -- was carried over, distributed or passed on cannot be less than the revenue
    where s.spent = 0
)

{{ identity_checks('checks') }}
