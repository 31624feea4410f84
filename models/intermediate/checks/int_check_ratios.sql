{{ per_document_intermediate() }}
-- Stated percentages equal the ratios of the stated figures:
--   share_pct        占 X%            = amount / denominator (the enumeration's parent, or the named total)
--   completion_pct   完成预算的 X%     = amount / budget
--   execution_rate   执行率 X%         = executed / full-year budget
--   yoy_change_pct   增长/下降 X%       = stated change / (amount - stated change)
--   vs_budget_change_pct               = change on budget / (amount - change)
-- The computed ratio is an interval (both figures are rounded); the check passes
-- when the stated percentage's own interval overlaps it.
--
-- A percentage follows from the amounts stated with it: where its own passage (same section, at most
-- `passage_lines` lines above it) states the numerator or the denominator, that reading is used rather
-- than the fact's winning (table) reading.  "支出总计 457,676.75 万元，其中基本支出 359,781.59 万元，占
-- 78.61%" is consistent in itself; that the prose's 支出总计 differs from the table's is one finding of its
-- own (readings_agree), not one more for every share and change computed from it.
with checks as (
    -- readings and f filter a table: not materialized, so each use scans only its columns with its filters pushed
    -- down, instead of a copy of every column of 2.5 M readings at 10,000 reports (macros/checks.sql)
    -- (readings: the few documents' rows, selected once, in an incremental build: slice_cte, macros/incremental.sql)
    with readings as {{ slice_cte() }} (
        -- row_key: the key the pairs name readings by.  In a full build the reading's row in int_fact_readings (every
        -- use of readings scans that one table in one statement): an integer, where the hash joins of 600 k-900 k ids
        -- with 2.5 M readings by the VARCHAR observation_id were most of the model; an incremental build's readings are
        -- a slice of a few documents (a subquery, no rowid): observation_id
        select *, {{ row_key() }} as row_key
        from {{ of_new_documents(ref('int_fact_readings')) }} where kind not in ('performance')
    ),
    f as not materialized (
        select * from readings where reading_rank = 1
    ),
    stated as (
        select * from f where measure in ('share_pct', 'completion_pct', 'execution_rate', 'yoy_change_pct', 'vs_budget_change_pct')
    ),
    amounts as (
        select * from f where measure in ('amount', 'actual', 'executed')
    ),
    budgets as (
        -- 完成年初预算的 X% divides by the 年初预算; 执行率 (B/A) by the 全年预算数
        {{ budget_sides('f', id='row_key') }}
    ),
    changes as (
        select * from f where measure in ('yoy_change', 'vs_budget_change')
    ),
    pairs as (
        -- numerator and denominator for each stated percentage
        -- with the keys of the passage lookup (passage_pairs): the percentage's place, both facts' fact_key
        select s.row_key as stated_id, n.row_key as num_id, d.row_key as den_id,
               'share_of_total' as check_name, 'Stated share = amount / total' as description, false as den_is_difference,
               s.doc_id, s.line_no, s.section, n.fact_key as num_key, d.fact_key as den_key
        from stated s
        join amounts n on n.doc_id = s.doc_id and n.fiscal_year = s.fiscal_year and n.metric_key = s.metric_key
        join amounts d on d.doc_id = s.doc_id and d.fiscal_year = s.fiscal_year and d.measure = n.measure
            and d.kind = coalesce(nullif(split_part(s.ref_key, '|', 1), ''), s.kind)
            and coalesce(d.scope, '') = case when s.ref_key is not null then split_part(s.ref_key, '|', 2)
                                              when s.kind = 'revenue' then 'all'
                                              else coalesce(s.scope, '') end
            and d.item_key = coalesce(nullif(split_part(s.ref_key, '|', 3), ''),
                                      case when s.kind = 'revenue' then 'current_total' else 'total' end)
            and d.function_code_resolved is null and not d.is_function_subject and d.project_key is null
        where s.measure = 'share_pct'
        union all
        select s.row_key, n.row_key,
               case when s.measure = 'execution_rate' then b.full_year_id else b.initial_id end,
               case when s.measure = 'execution_rate' then 'execution_rate' else 'completion_of_budget' end,
               'Stated completion / execution rate = amount / budget', false,
               s.doc_id, s.line_no, s.section, n.fact_key,
               case when s.measure = 'execution_rate' then b.full_year_key else b.initial_key end
        from stated s
        join amounts n on n.doc_id = s.doc_id and n.fiscal_year = s.fiscal_year and n.metric_key = s.metric_key
        join budgets b on b.doc_id = s.doc_id and b.fiscal_year = s.fiscal_year and b.metric_key = s.metric_key
        where s.measure in ('completion_pct', 'execution_rate')
        union all
        select s.row_key, c.row_key, n.row_key,
               case s.measure when 'yoy_change_pct' then 'yoy_pct_matches_change' else 'budget_change_pct_matches_change' end,
               'Stated % change = stated change / (amount - stated change)', true,
               s.doc_id, s.line_no, s.section, c.fact_key, n.fact_key
        from stated s
        join changes c on c.doc_id = s.doc_id and c.fiscal_year = s.fiscal_year and c.metric_key = s.metric_key
            and c.measure = replace(s.measure, '_pct', '')
        join amounts n on n.doc_id = s.doc_id and n.fiscal_year = s.fiscal_year and n.metric_key = s.metric_key
        where s.measure in ('yoy_change_pct', 'vs_budget_change_pct')
    ),
    in_passage as materialized (
        -- the reading of each side stated in the percentage's own passage, else the fact's
        {{ passage_pairs('pairs', readings='readings', source_kind="'narrative'", id='row_key') }}
    ),
    used as (
        -- the stated percentage (a winning reading) and both readings it divides
        {{ readings_of_pairs('in_passage', 'readings', id='row_key') }}
    ),
    evaluated as (
        select p.check_name, p.description, s.*,
            n.value as num, n.half_unit as num_h,
            case when p.den_is_difference then d.value - n.value else d.value end as den,
            case when p.den_is_difference then d.half_unit + n.half_unit else d.half_unit end as den_h,
            {{ reading_ref('n') }} || case when p.den_is_difference then ' ÷ (' else ' ÷ ' end || {{ reading_ref('d') }}
                || case when p.den_is_difference then ' − change)' else '' end as rhs_refs
        from in_passage p
        join used s on s.row_key = p.stated_id
        join used n on n.row_key = p.num_id
        join used d on d.row_key = p.den_id
    ),
    bounds as (
        select *, {{ ratio_low('num', 'num_h', 'den', 'den_h') }} as low, {{ ratio_high('num', 'num_h', 'den', 'den_h') }} as high
        from evaluated
    )
    select
        'ratios' as check_family,
        check_name,
        description,
        doc_id,
        fiscal_year,
        {{ fact_label('bounds') }} as subject,
        '=' as comparison,
        value as lhs,
        {{ ratio_interval_sides() }},
        {{ reading_ref('bounds') }} as lhs_refs,
        rhs_refs
    from bounds
    where low is not null
)

{{ identity_checks('checks') }}
