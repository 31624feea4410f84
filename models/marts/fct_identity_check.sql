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
--
-- lhs_ocr_refs / rhs_ocr_refs: the places of a side on a page read by OCR (a scanned page: ingest/readers/ocr.py), so
-- that a finding says when an OCR misreading may be its cause.  A document's OCR'd pages are those of its figures
-- flagged `ocr` (ingest.parse._mark_ocr flags every figure of such a page; an indicator's row has no flags of its
-- own, its page says it).  A place is a source_ref the side cites (the pattern of juesuan.drill.SOURCE_REF), in the
-- check's document, or in the one named by "(report <doc_id>)" / "(budget <doc_id>)" right after it (int_check_yoy,
-- int_check_budget_initial).  Only the sides of the checks of a document with OCR'd pages, or of one compared with
-- such a document (its counterparts: macros/comparisons.sql), are parsed: at 10,000 reports without a scan the
-- columns cost about 0.2 CPU-s of the model's full build (2.7 -> 2.9, three runs each; same rows otherwise).
{{ per_document_intermediate('compared') }}
{#- a place a side cites: the source_ref formats of the contract, as juesuan.drill.SOURCE_REF matches them -#}
{%- set place %}p\d+ T\d+ R\d+ C\d+|p\d+ L\d+|T\d+ R\d+ C\d+|L\d+(?::C\d+)?|\bP\d+\b|[^\s!"'';]+![A-Z]{1,3}\d+{% endset %}
{%- set of_rebuilt = ' where doc_id in (select doc_id from rebuilt)' if is_incremental() else '' %}
with
{%- if is_incremental() %}
rebuilt as (
    {{ new_documents('compared') }}
),
{%- endif %}
checks as not materialized (
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
),

ocr_pages as (
    -- the pages read by OCR, per document ('p3')
    select doc_id, split_part(source_ref, ' ', 1) as page
    from {{ ref('int_observations') }}
    where contains(flags, 'ocr') and list_contains(string_split(flags, ','), 'ocr')
    group by doc_id, split_part(source_ref, ' ', 1)
),

ocr_documents as (
    -- the documents with OCR'd pages and those compared with them (a side may cite a place of its counterpart)
    select v.doc_id
    from {{ ref('int_document_versions') }} as v
    inner join {{ ref('int_document_versions') }} as o
        on o.doc_id = v.doc_id or (o.unit_id = v.unit_id and {{ counterpart_condition('compared') }})
    where v.is_loaded and o.doc_id in (select p.doc_id from ocr_pages as p)
),

ocr_sides as (
    select check_id, doc_id, 'lhs' as side, lhs_refs as refs from checks where doc_id in (select doc_id from ocr_documents)
    union all
    select check_id, doc_id, 'rhs' as side, rhs_refs as refs from checks where doc_id in (select doc_id from ocr_documents)
),

cited as (
    -- the side cut before every place it cites: each part a place, then what follows it up to the next
    select s.check_id, s.doc_id, s.side,
        string_split(regexp_replace(s.refs, '{{ place }}', chr(1) || '\0', 'g'), chr(1)) as parts
    from ocr_sides as s
),

places as (
    select check_id, side, n,
        regexp_extract(part, '^(?:{{ place }})') as source_ref,
        coalesce(nullif(regexp_extract(part, '^[^;]*?\((?:report|budget) ([0-9a-f]+)\)', 1), ''), doc_id) as place_doc
    from (select check_id, doc_id, side, unnest(parts) as part, generate_subscripts(parts, 1) as n from cited) as cut
),

ocr_places as (
    select pl.check_id, pl.side, pl.source_ref, min(pl.n) as n
    from places as pl
    inner join ocr_pages as p on pl.place_doc = p.doc_id and split_part(pl.source_ref, ' ', 1) = p.page
    where pl.source_ref <> ''
    group by pl.check_id, pl.side, pl.source_ref
),

ocr as (
    select check_id,
        string_agg(source_ref, '; ' order by n) filter (where side = 'lhs') as lhs_ocr_refs,
        string_agg(source_ref, '; ' order by n) filter (where side = 'rhs') as rhs_ocr_refs
    from ocr_places
    group by check_id
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
    s.state_key as document_state,
    ocr.lhs_ocr_refs is not null as lhs_ocr,
    ocr.rhs_ocr_refs is not null as rhs_ocr,
    ocr.lhs_ocr_refs,
    ocr.rhs_ocr_refs
from checks as c
inner join {{ ref('int_document_versions') }} as d on c.doc_id = d.doc_id
inner join ({{ document_states('compared') }}) as s on s.doc_id = c.doc_id
left join {{ ref('identity_catalogue') }} as k on c.check_name = k.check_name
left join ocr on c.check_id = ocr.check_id
