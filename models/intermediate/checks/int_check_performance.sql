{{ per_document_intermediate() }}
-- Self-evaluation arithmetic:
--   indicator scores (+ the budget-execution points, where the table counts them
--   in the 100) sum to the total score; indicator weights sum to the points
--   available; no indicator scores more than its weight; the department table's
--   tasks sum to its 金额合计; a project's funding rows sum to 年度资金总额.
with checks as (
    -- every use of an input reads these CTEs: in an incremental build the few documents' rows, selected once
    -- (slice_cte, macros/incremental.sql); in a full build they are inlined
    with indicators as {{ slice_cte() }} (
        select * from {{ of_new_documents(ref('int_indicators')) }}
    ),
    facts as {{ slice_cte() }} (
        select * from {{ of_new_documents(ref('int_facts')) }}
    ),
    ind as (
        select doc_id, project_key, sum(weight) as weight_sum, sum(score) as score_sum,
               sum({{ half_unit("length(split_part(cast(score as varchar), '.', 2))") }}) as score_h,
               count(*) filter (where score is not null) as scored,
               min(source_ref) || '–' || max(source_ref) as refs
        from indicators
        where project_key is not null
        group by doc_id, project_key
    ),
    p as (
        select doc_id, fiscal_year, project_key, any_value(project) as project,
            max(value) filter (where measure = 'score') as score,
            arg_max(observation_id, measure = 'score') filter (where measure = 'score') as score_id,
            max(value) filter (where measure = 'max_score') as max_score,
            max(value) filter (where measure = 'funding_weight' and item_key = 'total') as funding_weight,
            max(value) filter (where measure = 'funding_score' and item_key = 'total') as funding_score,
            max(half_unit) filter (where measure = 'funding_score' and item_key = 'total') as funding_score_h
        from facts
        where kind = 'project'
        group by doc_id, fiscal_year, project_key
    ),
    joined as (
        select p.*, i.weight_sum, i.score_sum, i.score_h, i.refs,
            coalesce(p.max_score, 100) as points,
            -- does the table count the budget-execution points inside the total?
            i.weight_sum + coalesce(p.funding_weight, 0) = coalesce(p.max_score, 100)
                and abs(i.weight_sum - coalesce(p.max_score, 100)) > 0 as funding_counted
        from p join ind i on i.doc_id = p.doc_id and i.project_key = p.project_key
        where i.scored > 0
    ),
    scores as (
        select 'performance' as check_family, 'indicator_scores_sum_to_total' as check_name,
            'Σ indicator 得分 (+ budget-execution 得分 when counted) = total 得分' as description,
            j.doc_id, j.fiscal_year, 'project ' || j.project || ' score' as subject, '=' as comparison,
            j.score as lhs,
            j.score_sum + case when j.funding_counted then coalesce(j.funding_score, 0) else 0 end as rhs,
            {{ half_unit("length(split_part(cast(j.score as varchar), '.', 2))") }} + j.score_h
                + case when j.funding_counted then coalesce(j.funding_score_h, 0) else 0 end as tolerance,
            s.source_ref || ' total score' as lhs_refs,
            'indicators ' || j.refs || case when j.funding_counted then ' + budget-execution score' else '' end as rhs_refs
        from joined j left join facts s on s.observation_id = j.score_id
        where j.score is not null
    ),
    weights as (
        select 'performance' as check_family, 'indicator_weights_sum_to_points' as check_name,
            'Σ indicator 分值 (+ budget-execution 分值) = points available (总分 分值, else 100)' as description,
            j.doc_id, j.fiscal_year, 'project ' || j.project || ' weights' as subject, '=' as comparison,
            j.points as lhs,
            case when abs(j.weight_sum - j.points) <= abs(j.weight_sum + coalesce(j.funding_weight, 0) - j.points)
                 then j.weight_sum else j.weight_sum + coalesce(j.funding_weight, 0) end as rhs,
            cast(0 as decimal(18, 8)) as tolerance,
            case when j.max_score is not null then '总分 分值' else 'standard 100 points' end as lhs_refs,
            'indicators ' || j.refs as rhs_refs
        from joined j
    ),
    within as (
        select 'performance' as check_family, 'indicator_score_within_weight' as check_name,
            'An indicator cannot score more than its weight' as description,
            i.doc_id, d.fiscal_year, 'indicator ' || i.indicator || ' (' || coalesce(i.project, '') || ')' as subject,
            '>=' as comparison, i.weight as lhs, i.score as rhs, cast(0 as decimal(18, 8)) as tolerance,
            i.source_ref || ' 分值 ' || i.weight as lhs_refs, i.source_ref || ' 得分 ' || i.score as rhs_refs
        from indicators i join {{ ref('int_document_versions') }} d on d.doc_id = i.doc_id
        where i.weight is not null and i.score is not null
    ),
    pf as (
        select * from facts where kind = 'project' and source_kind = 'table'
    ),
    tasks as (
        select t.doc_id, t.fiscal_year, t.measure, t.item_key, sum(t.value) as task_sum, sum(t.half_unit) as task_h,
               count(*) as task_count, min(t.source_ref) || '–' || max(t.source_ref) as task_refs
        from pf t where t.project_kind = 'department_task'
        group by all
    ),
    department_tasks as (
        select 'performance' as check_family, 'department_tasks_sum_to_total' as check_name,
            '部门整体支出绩效自评表: Σ tasks = 金额合计' as description,
            {{ fact_against('d', 't.task_sum', 't.task_h', "'tasks ' || t.task_refs") }}
        from pf d join tasks t on t.doc_id = d.doc_id and t.fiscal_year = d.fiscal_year and t.measure = d.measure
            and t.item_key = d.item_key
        where d.project_kind = 'department' and d.measure in ('budget_full_year', 'executed', 'funding_weight', 'funding_score')
    ),
    funding_parts as (
        select t.observation_id as total_id, sum(p.value) as part_sum, sum(p.half_unit) as part_h,
               string_agg({{ reading_ref('p') }} || ' ' || p.item_key, '; ' order by p.item_key) as part_refs
        from pf t join pf p on p.doc_id = t.doc_id and p.project_key = t.project_key and p.measure = t.measure
            and p.item_key in ('fiscal', 'superior', 'carryover', 'other')
        where t.item_key = 'total' and t.measure in ('budget_initial', 'budget_full_year', 'executed')
            and t.project_kind = 'project'
        group by t.observation_id
    ),
    funding as (
        select 'performance' as check_family, 'project_funding_rows_sum' as check_name,
            '项目资金: 年度资金总额 = 财政拨款 + 上年结转 + 其他资金' as description,
            {{ fact_against('t', 'fp.part_sum', 'fp.part_h', 'fp.part_refs') }}
        from pf t join funding_parts fp on fp.total_id = t.observation_id
    )
    select * from scores
    union all select * from weights
    union all select * from within
    union all select * from department_tasks
    union all select * from funding
)

{{ identity_checks('checks') }}
