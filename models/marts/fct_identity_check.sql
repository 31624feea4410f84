-- Every evaluated accounting identity, with both sides, the rounding tolerance
-- and where each side was read.  passed = false is a place where the report
-- contradicts itself.  See macros/tolerance.sql for the tolerance rule.
with checks as (
    select * from {{ ref('int_check_readings') }}
    union all select * from {{ ref('int_check_sums') }}
    union all select * from {{ ref('int_check_balance') }}
    union all select * from {{ ref('int_check_hierarchy') }}
    union all select * from {{ ref('int_check_ratios') }}
    union all select * from {{ ref('int_check_yoy') }}
    union all select * from {{ ref('int_check_performance') }}
    union all select * from {{ ref('int_check_budget_initial') }}
    union all select * from {{ ref('int_check_corrections') }}
    union all select * from {{ ref('int_check_named_shares') }}
    union all select * from {{ ref('int_check_full_rates') }}
    union all select * from {{ ref('int_check_fund_flows') }}
)
select
    -- identical statements on one line make identical checks: number them
    substr(md5(concat_ws('|', c.check_name, c.doc_id, c.fiscal_year, c.subject, c.lhs_refs, c.rhs_refs,
        row_number() over (partition by c.check_name, c.doc_id, c.fiscal_year, c.subject, c.lhs_refs, c.rhs_refs
                           order by c.lhs, c.rhs))), 1, 16) as check_id,
    c.check_family,
    c.check_name,
    c.description,
    k.identity,
    k.what_a_failure_means,
    c.doc_id,
    d.unit_id,
    c.fiscal_year,
    c.subject,
    c.comparison,
    cast(c.lhs as decimal(18, 6)) as lhs,
    cast(c.rhs as decimal(18, 6)) as rhs,
    cast(c.lhs - c.rhs as decimal(18, 6)) as diff,
    cast(c.tolerance as decimal(18, 6)) as tolerance,
    case c.comparison
        when '>=' then c.lhs - c.rhs >= -c.tolerance
        else abs(c.lhs - c.rhs) <= c.tolerance
    end as passed,
    c.lhs_refs,
    c.rhs_refs,
    'lhs: ' || c.lhs_refs || ' | rhs: ' || c.rhs_refs as refs
from checks c
join {{ ref('stg_documents') }} d on d.doc_id = c.doc_id
left join {{ ref('identity_catalogue') }} k on k.check_name = c.check_name
where c.lhs is not null and c.rhs is not null
