{#- Data tests of an incremental build cost what is new (issue #14).

    A test whose `where` config is the placeholder __documents_of_this_build__ (set per folder in
    dbt_project.yml, data_tests:) tests, in an incremental `dbt build`, only the rows of the documents this
    build may have (re)built: every document of a unit with a document ingested since the last complete
    successful build.  A unit is the scope, not the document, because the families that compare documents
    (int_check_yoy, int_check_budget_initial, fct_identity_check: macros/comparisons.sql) rebuild a
    document when another report of its unit arrives.  The rows of every other document were built and
    passed the same tests in an earlier build, and none of their inputs changed since.

    Used only for tests that are equivalent on that subset: not_null and accepted_values of a row, and
    unique on a key that includes the document (check_id hashes doc_id; a key of another document cannot
    collide with it).

    The whole table is tested (the placeholder becomes `true`)
      - in a full build (--full-refresh: `juesuan build --full-refresh`, `juesuan run --full-refresh`),
      - with --vars '{full_tests: true}',
      - when no build has been recorded yet (a new warehouse), or outside `execute` (parsing).

    The record: a successful `dbt build` of the whole project (no --select) run by juesuan (juesuan/dbt.py
    mark_build) writes intermediate.build_marks (ingested_through: the newest ingestion time of a document
    the build saw).  A failed build leaves the old record, so its documents are tested again next time; a
    build run by dbt directly leaves it too (its documents are tested again: more, never less).
    See dbt's docs, "where" (resource-configs/where): the config is templated into the test query by
    get_where_subquery, which a project may override; this override renders the placeholder at run time.
-#}

{#- The last complete build's mark as SQL — the newest ingestion time it saw — or none when every row is to be
    tested (parsing, --full-refresh, full_tests, or no mark yet).  Shared by the two conditions below. -#}
{% macro build_mark_cutoff() -%}
    {%- if not execute or flags.FULL_REFRESH or var('full_tests', false) -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set marks = adapter.get_relation(database=target.database, schema='intermediate', identifier='build_marks') -%}
    {%- if marks is none -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- do return("(select coalesce(max(ingested_through), timestamp '1900-01-01') from " ~ marks ~ ")") -%}
{%- endmacro %}

{#- SQL condition on a relation with doc_id: its rows of the documents of this build (or `true`). -#}
{% macro documents_of_this_build() -%}
    {%- set cutoff = build_mark_cutoff() -%}
    {%- if cutoff is none -%}
        {%- do return('true') -%}
    {%- endif -%}
    {%- set versions = api.Relation.create(database=target.database, schema='intermediate', identifier='int_document_versions') -%}
    {%- set condition -%}
    doc_id in (
        select v.doc_id from {{ versions }} as v
        where v.unit_id in (
            select n.unit_id from {{ versions }} as n
            where n.ingested_at > {{ cutoff }}))
    {%- endset -%}
    {%- do return(condition) -%}
{%- endmacro %}

{#- The staging views read raw rows of every document that was ever ingested, and their tests run before
    int_document_versions is rebuilt: their placeholder __raw_documents_of_this_build__ is the documents of raw
    ingested since the mark (new files and re-read ones; a document whose row in raw.documents changes without a
    new ingestion, e.g. superseded, keeps its figures).  Used for the staging tests on the rows of one document
    (keys that contain doc_id: observation_id, indicator_id and reject_id are doc_id-n; row-level not_null and
    accepted_values); stg_documents and stg_ingest_runs, one row per file or run, test the whole table.  At 10,000
    reports stg_observations holds ≈ 3 million rows, tested in every build before (issue #14). -#}
{% macro raw_documents_of_this_build() -%}
    {%- set cutoff = build_mark_cutoff() -%}
    {%- if cutoff is none -%}
        {%- do return('true') -%}
    {%- endif -%}
    {%- set condition -%}
    doc_id in (
        select d.doc_id from {{ api.Relation.create(database=target.database, schema='raw', identifier='documents') }} as d
        where d.ingested_at > {{ cutoff }})
    {%- endset -%}
    {%- do return(condition) -%}
{%- endmacro %}

{#- dbt's get_where_subquery (global project, tests/where_subquery.sql) with the placeholders rendered. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__documents_of_this_build__' in where -%}
        {%- set where = where | replace('__documents_of_this_build__', documents_of_this_build()) -%}
    {%- endif -%}
    {%- if where and '__raw_documents_of_this_build__' in where -%}
        {%- set where = where | replace('__raw_documents_of_this_build__', raw_documents_of_this_build()) -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
