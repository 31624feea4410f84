-- Every evaluated accounting identity, with both sides, the rounding tolerance
-- and where each side was read.  passed = false is a place where the report
-- contradicts itself.  See macros/tolerance.sql for the tolerance rule.
--
-- One family of identities = one model in models/intermediate/checks/ ending with
-- the identity_checks macro (macros/checks.sql: the shared schema); a new family is one
-- more file and one more line below.
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
    c.check_id,
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
    c.lhs,
    c.rhs,
    c.diff,
    c.tolerance,
    c.passed,
    c.lhs_refs,
    c.rhs_refs,
    'lhs: ' || c.lhs_refs || ' | rhs: ' || c.rhs_refs as refs
from checks as c
inner join {{ ref('int_document_versions') }} as d on c.doc_id = d.doc_id
left join {{ ref('identity_catalogue') }} as k on c.check_name = k.check_name
