{#- The shared schema of every identity-check family (models/intermediate/checks/int_check_<family>.sql).

    A family computes, in a CTE, one row per evaluated identity with the columns
        check_family, check_name, description, doc_id, fiscal_year, subject, comparison ('=' | '>='),
        lhs, rhs, tolerance, lhs_refs, rhs_refs
    and ends with {{ identity_checks('that_cte') }}, which adds
        check_id   stable id: md5 of name, document, year, subject and both places (identical statements on
                   one line make identical checks: they are numbered), 16 hex digits;
        diff       lhs − rhs;
        passed     the sides meet within the rounding tolerance (comparison '='), or lhs does not fall below
                   rhs by more than it ('>='); see macros/tolerance.sql;
        document_state  the document's state when the row was built (per-document families, incremental.sql), with
                   its counterparts' for a family that compares documents (counterpart, macros/comparisons.sql);
    with lhs, rhs, diff and tolerance as DECIMAL(18, 6), and drops rows with a side missing.  The right side
    is compared at four decimals, the precision of every stored figure (a computed ratio is rounded to it).
    marts.fct_identity_check is the union of the families (one line each).

    A family's CTEs that only filter a table (readings, facts, observations) are declared `as not materialized`:
    DuckDB materialises a CTE used more than once, a copy of every column of its rows (2.5 M readings at 10,000
    reports, spilled beyond memory_limit), where a scan of the table reads only the columns a use needs, with
    that use's filters pushed down.  Alone at 10,000 reports, in CPU-s: int_check_ratios 35 -> 11,
    int_check_full_rates 14.4 -> 1.5, int_check_yoy 9.5 -> 5.5, int_check_named_shares 5.6 -> 0.5,
    int_check_corrections 4.7 -> 0.0, int_check_sums 11.6 -> 7.2 (its join of the facts with the rules too), same
    rows (issue 14). -#}
{% macro identity_checks(checks, counterpart=none) -%}
{%- set rhs = 'cast(c.rhs as decimal(38, 4))' -%}
select
    substr(md5(concat_ws('|', c.check_name, c.doc_id, c.fiscal_year, c.subject, c.lhs_refs, c.rhs_refs,
        row_number() over (partition by c.check_name, c.doc_id, c.fiscal_year, c.subject, c.lhs_refs, c.rhs_refs
                           order by c.lhs, {{ rhs }}))), 1, 16) as check_id,
    c.check_family,
    c.check_name,
    c.description,
    c.doc_id,
    c.fiscal_year,
    c.subject,
    c.comparison,
    cast(c.lhs as decimal(18, 6)) as lhs,
    cast({{ rhs }} as decimal(18, 6)) as rhs,
    cast(c.lhs - {{ rhs }} as decimal(18, 6)) as diff,
    cast(c.tolerance as decimal(18, 6)) as tolerance,
    case c.comparison
        when '>=' then c.lhs - {{ rhs }} >= -c.tolerance
        else abs(c.lhs - {{ rhs }}) <= c.tolerance
    end as passed,
    c.lhs_refs,
    c.rhs_refs,
    v.state_key as document_state
from {{ checks }} as c
left join ({{ document_states(counterpart) }}) as v on c.doc_id = v.doc_id
where c.lhs is not null and c.rhs is not null
{%- endmacro %}
