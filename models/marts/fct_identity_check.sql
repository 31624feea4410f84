-- Every evaluated accounting identity, with both sides, the rounding tolerance
-- and where each side was read.  passed = false is a place where the report
-- contradicts itself.  See macros/tolerance.sql for the tolerance rule.
--
-- One family of identities = one model in models/intermediate/checks/ ending with
-- the identity_checks macro (macros/checks.sql: the shared schema); a new family is one
-- more file and one more line below.
--
-- Incremental by document: a document is rebuilt when its state or the state of a report it is compared
-- with changed (counterpart 'compared', macros/comparisons.sql) — the families it unions were rebuilt for
-- exactly those documents in this build.
{{ per_document_intermediate('compared') }}
{%- set of_rebuilt = ' where doc_id in (select doc_id from rebuilt)' if is_incremental() else '' %}
with
{%- if is_incremental() %}
rebuilt as (
    {{ new_documents('compared') }}
),
{%- endif %}
checks as (
    select * from {{ ref('int_check_readings') }}{{ of_rebuilt }}
    union all select * from {{ ref('int_check_sums') }}{{ of_rebuilt }}
    union all select * from {{ ref('int_check_balance') }}{{ of_rebuilt }}
    union all select * from {{ ref('int_check_hierarchy') }}{{ of_rebuilt }}
    union all select * from {{ ref('int_check_ratios') }}{{ of_rebuilt }}
    union all select * from {{ ref('int_check_yoy') }}{{ of_rebuilt }}
    union all select * from {{ ref('int_check_performance') }}{{ of_rebuilt }}
    union all select * from {{ ref('int_check_budget_initial') }}{{ of_rebuilt }}
    union all select * from {{ ref('int_check_corrections') }}{{ of_rebuilt }}
    union all select * from {{ ref('int_check_named_shares') }}{{ of_rebuilt }}
    union all select * from {{ ref('int_check_full_rates') }}{{ of_rebuilt }}
    union all select * from {{ ref('int_check_fund_flows') }}{{ of_rebuilt }}
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
    'lhs: ' || c.lhs_refs || ' | rhs: ' || c.rhs_refs as refs,
    s.state_key as document_state
from checks as c
inner join {{ ref('int_document_versions') }} as d on c.doc_id = d.doc_id
inner join ({{ document_states('compared') }}) as s on s.doc_id = c.doc_id
left join {{ ref('identity_catalogue') }} as k on c.check_name = k.check_name
