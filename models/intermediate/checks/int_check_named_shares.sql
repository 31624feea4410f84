{{ per_document_intermediate() }}
-- A share stated against a named base that is not the document total:
--   "涉及预算资金4659.62万元，占部门预算项目支出总额的87.36%"      base = 项目支出 (all funds)
--   "共涉及资金 106.81 万元，占一般公共预算项目支出总额的 100%"   base = 一般公共预算 项目支出
-- The stated percentage = the amount stated right before it in its sentence ÷ the named base as the
-- document states it (the fact's winning reading: the table's where a table states it).  The base is
-- what the prose names (ref_key, ingest/narrative/interpreter.py _named_base); a base the vocabulary
-- cannot name ("占应纳入绩效自评的…支出总额的 0%", ref_key unknown_base) or one the document does not
-- state is not evaluated: no base, no check.  Nor is a base on another basis: the evaluated funds are
-- budget amounts, so in a 决算 the base is the quantity's 全年预算数, not its 决算数 (003's "106.81 万元，
-- 占一般公共预算项目支出总额的 100%" is 84 年初预算 + 22.81 追加, not the 97.06 spent).
--
-- Shares of unit-level figures are share_of_total (int_check_ratios); this model takes the shares
-- of figures that are not facts of the unit's accounts (kind performance: the funds a
-- self-evaluation covers), whose amount is stated once per sentence and may be stated again for
-- another fund, so the numerator is the amount of its own sentence, not the fact's winning reading.
-- Tolerance as in int_check_ratios: the ratio of two rounded figures is an interval.
with checks as (
    with readings as {{ slice_cte() }} (
        select * from {{ of_new_documents(ref('int_fact_readings')) }}
    ),
    stated as (
        select * from readings
        where kind = 'performance' and measure = 'share_pct' and ref_key is not null
    ),
    numerators as (
        -- the amount of the same metric stated last before the share, in its passage
        select s.observation_id as stated_id, arg_max(n.observation_id, n.seq) as num_id
        from stated s
        join readings n on n.doc_id = s.doc_id and n.metric_key = s.metric_key and n.fiscal_year = s.fiscal_year
            and n.measure = 'amount' and n.seq < s.seq
            and n.line_no between s.line_no - {{ var('passage_lines') }} and s.line_no
            and n.section is not distinct from s.section
        group by s.observation_id
    ),
    evaluated as (
        select s.*, n.value as num, n.half_unit as num_h, d.value as den, d.half_unit as den_h,
            {{ reading_ref('n') }} || ' ÷ ' || {{ reading_ref('d') }} as rhs_refs
        from stated s
        join numerators p on p.stated_id = s.observation_id
        join readings n on n.observation_id = p.num_id
        -- the facts are the winning readings (int_facts), here of the documents' own readings
        join (select * from readings where reading_rank = 1) d on d.doc_id = s.doc_id and d.fiscal_year = s.fiscal_year
            and d.kind = split_part(s.ref_key, '|', 1)
            and coalesce(d.scope, '') = split_part(s.ref_key, '|', 2)
            and d.item_key = split_part(s.ref_key, '|', 3)
            -- the funds a self-evaluation covers are budget amounts (涉及预算资金, 全年预算数): in a 决算 the
            -- base is the 全年预算 of that quantity, never its 决算数; in a 预算 the document's own amount
            and d.measure = case when s.basis = 'budget' then n.measure else 'budget_full_year' end
            and d.function_code_resolved is null and not d.is_function_subject and d.project_key is null
    ),
    bounds as (
        select *, {{ ratio_low('num', 'num_h', 'den', 'den_h') }} as low, {{ ratio_high('num', 'num_h', 'den', 'den_h') }} as high
        from evaluated
    )
    select
        'ratios' as check_family,
        'share_of_named_base' as check_name,
        'Stated share = amount / the base the sentence names' as description,
        doc_id,
        fiscal_year,
        {{ fact_label('bounds') }} || ' of ' || concat_ws(' ', split_part(ref_key, '|', 1), nullif(split_part(ref_key, '|', 3), ''),
            '[' || nullif(split_part(ref_key, '|', 2), '') || ']') as subject,
        '=' as comparison,
        value as lhs,
        {{ ratio_interval_sides() }},
        {{ reading_ref('bounds') }} as lhs_refs,
        rhs_refs
    from bounds
    where low is not null
)

{{ identity_checks('checks') }}
