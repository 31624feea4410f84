{{ per_document_intermediate() }}
-- Slips the parser corrected are findings too (marts.qa_corrected_readings lists every corrected
-- reading; the facts keep the corrected value).  Each slip is one failed check with the text as
-- printed on the left, the corrected value on the right, and the place that proves the correction:
--
--   unit_slip_yuan  a figure printed in 元 whose own sentence shows it is in 万元 ("财政拨款收入
--                   360.44 元" beside "本年收入合计 360.4 万元"; ingest/narrative/interpreter.py
--                   _yuan_slip).  Both sides in 元: lhs = the figure as printed, rhs = what the corrected
--                   value (the fact's, in 万元) is in 元; rhs_refs = the 万元 figure of the same sentence
--                   that proves it (the same value first, else the nearest of its magnitude).
--   year_slip       a passage dated the year before the report's year that compares with 上年 (it
--                   cannot be about 上年 itself: "2022 年度…支出决算 0 万元…决算数较上年持平" in the 2023
--                   report).  One finding per passage (its corrected readings are consecutive):
--                   lhs = the year as printed, rhs = the report's year; rhs_refs = the comparison
--                   with 上年 that proves it, and the report's year.
with checks as (
    with o as {{ slice_cte() }} (
        select * from {{ of_new_documents(ref('int_observations')) }}
    ),
    unit_slips as (
        select * from o where list_contains(string_split(flags, ','), 'unit_typo_yuan')
    ),
    unit_proof as (
        -- 万元 figures of the slip's sentence (its snippet quotes them; emitted right before or after it)
        select s.observation_id as slip_id,
            arg_min({{ reading_ref('c') }}, (c.value <> s.value)::int * 1000000 + abs(c.seq - s.seq)) as proof_ref
        from unit_slips s
        join o c on c.doc_id = s.doc_id and c.observation_id <> s.observation_id and c.source_kind = 'narrative'
            and c.printed_unit = '万元' and abs(c.seq - s.seq) <= 20
            and position(c.value_text in s.snippet) > 0
            and c.value > 0 and (c.value = s.value or (c.value / 100 <= s.value and s.value <= c.value * 100))
        group by s.observation_id
    ),
    unit_findings as (
        select
            'corrections' as check_family,
            'unit_slip_yuan' as check_name,
            'A figure printed in 元 where its sentence shows 万元: corrected to 万元' as description,
            s.doc_id, s.fiscal_year, {{ fact_label('s') }} || ' (元)' as subject, '=' as comparison,
            -- in 元, where both sides are exact at the warehouse's four decimals (the printed figure read
            -- as 元 would be a few millionths of a 万元)
            s.value as lhs,
            s.value * 10000 as rhs,
            s.half_unit + s.half_unit * 10000 as tolerance,
            {{ reading_ref('s') }} as lhs_refs,
            coalesce(p.proof_ref, s.source_ref || ' ' || s.source_kind || ' "' || s.snippet || '"')
                || ' → ' || regexp_replace((s.value)::varchar, '\.?0+$', '') || ' 万元' as rhs_refs
        from unit_slips s left join unit_proof p on p.slip_id = s.observation_id
    ),
    year_slips as (
        select *, seq - row_number() over (partition by doc_id order by seq) as island
        from o where list_contains(string_split(flags, ','), 'year_typo')
    ),
    passages as (
        select doc_id, island,
            arg_min(observation_id, seq) as first_id,
            arg_min(observation_id, seq) filter (where measure in ('yoy_change', 'yoy_change_pct')) as prior_id
        from year_slips
        group by doc_id, island
    ),
    year_findings as (
        select
            'corrections' as check_family,
            'year_slip' as check_name,
            'A passage dated the year before the report that compares with 上年: it means the report''s year' as description,
            f.doc_id, f.fiscal_year, {{ fact_label('f') }} as subject, '=' as comparison,
            (f.report_year - 1)::decimal(18, 4) as lhs,
            (f.report_year)::decimal(18, 4) as rhs,
            0::decimal(18, 8) as tolerance,
            f.source_ref || ' ' || f.source_kind || ' "'
                || coalesce(regexp_extract(f.snippet, (f.report_year - 1)::varchar || '\s*年度?'), (f.report_year - 1)::varchar)
                || '"' as lhs_refs,
            coalesce({{ reading_ref('c') }} || '; ', '') || 'report year ' || f.report_year as rhs_refs
        from passages p
        join o f on f.observation_id = p.first_id
        left join o c on c.observation_id = p.prior_id
    )
    select * from unit_findings
    union all select * from year_findings
)

{{ identity_checks('checks') }}
