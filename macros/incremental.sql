{#- Facts are built per document.  An incremental run processes only documents
    ingested after the newest one already in the table (new files, or files
    re-parsed by a new parser version), and counted documents the table does not
    hold yet (an older version that counts again because the version that
    shadowed it was replaced or cut short); delete+insert on doc_id replaces their
    rows, and the post-hook removes rows of documents that were superseded or
    are shadowed by a preferred report of the same unit-year (see int_document_versions). -#}

{#- ingested_at_column: the document's ingestion time in the model's query; this_column: the same in the
    model's table (ingested_at in the marts, document_ingested_at in the intermediate tables). -#}
{% macro only_new_documents(ingested_at_column, this_column='ingested_at') -%}
    {%- if is_incremental() -%}
        {%- set doc_id = (ingested_at_column.split('.')[0] ~ '.doc_id') if '.' in ingested_at_column else 'doc_id' %}
        and ({{ ingested_at_column }} > (select coalesce(max({{ this_column }}), timestamp '1900-01-01') from {{ this }})
             or {{ doc_id }} not in (select doc_id from {{ this }}))
    {%- endif -%}
{%- endmacro %}

{#- basis: the marts of the 决算 ('final') hold only counted final accounts; a document relabelled a 预算 leaves them.
    basis 'any': the intermediate tables hold the counted documents of both bases. -#}
{% macro remove_unloaded_documents(relation, basis='final') -%}
    delete from {{ relation }}
    where doc_id not in (
        select doc_id from {{ ref('int_document_versions') }}
        where is_loaded {% if basis != 'any' %}and basis = '{{ basis }}'{% endif %}
    )
{%- endmacro %}

{#- The configuration every per-document fact mart shares: rebuilt by doc_id, pruned of documents
    that no longer count.  Call it first in the model: {{ per_document_incremental() }} -#}
{% macro per_document_incremental(basis='final') -%}
    {{ config(materialized='incremental', unique_key='doc_id', incremental_strategy='delete+insert',
              on_schema_change='append_new_columns',
              post_hook="{{ remove_unloaded_documents(this, '" ~ basis ~ "') }}") }}
{%- endmacro %}

{#- The intermediate tables of figures (int_observations, int_fact_readings) and the check families whose
    identities stay within one document (models/intermediate/checks/) are built per document:
    {{ per_document_intermediate() }} first in the model, and every per-document table it reads wrapped as
    {{ of_new_documents(ref('int_facts')) }}.  Their rows carry document_state, the state_key of their
    document (int_document_versions: doc_id, ingestion time, basis, unit, year) when they were built.  An
    incremental run rebuilds the counted documents whose state was not built yet — new documents,
    re-read ones, and ones whose basis, unit or year changed.  What was built is recorded beside the table,
    in build_state.<schema>__<table> (doc_id, state_key of every counted document, rewritten by the post-hook), so a
    document that yields no row of a family (most documents state no named share, no correction) is not
    evaluated again on every run: without that record, 9,881 of 10,000 documents were re-read by
    int_check_named_shares and int_check_corrections in each incremental build (issue #14).  A table
    without its record (a warehouse built before it) falls back to the states its rows carry.  The
    pre-hook clears the documents to rebuild first, so a document that now yields fewer rows loses the old
    ones; the post-hooks prune documents that no longer count and record the states built.  Families
    that compare documents (yoy, budget_vs_final) pass a counterpart: a row's state is then its document's
    and its counterparts' (macros/comparisons.sql). -#}
{#- counterpart: for a family that compares documents, the documents a document's rows also depend on
    (macros/comparisons.sql document_states); none: the document alone. -#}
{% macro new_documents(counterpart=none) -%}
    {%- set built = built_states_relation() -%}
    select v.doc_id from ({{ document_states(counterpart) }}) as v
    where not exists (
    {%- if built is not none %}
        select 1 from {{ built }} as b where b.doc_id = v.doc_id and b.state_key = v.state_key)
    {%- elif execute and 'document_state' in (adapter.get_columns_in_relation(this) | map(attribute='name') | list) %}
        select 1 from {{ this }} as t where t.doc_id = v.doc_id and t.document_state = v.state_key)
    {%- else %}
        select 1 where false)   {#- a table built before either record: every document again, once #}
    {%- endif %}
{%- endmacro %}

{#- The record of the document states a per-document table was built with (None before its first build,
    and at parse time). -#}
{% macro built_states_relation() -%}
    {%- if not execute -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- do return(adapter.get_relation(database=this.database, schema='build_state', identifier=built_states_name())) -%}
{%- endmacro %}

{#- The records live in their own schema, build_state (not among the marts an analyst lists), one table per
    model: build_state.<schema>__<table>. -#}
{% macro built_states_name() -%}
    {{- this.schema ~ '__' ~ this.identifier -}}
{%- endmacro %}

{% macro record_built_states(counterpart=none) -%}
    {%- set built = api.Relation.create(database=this.database, schema='build_state', identifier=built_states_name()) %}
    create or replace table {{ built }} as {{ document_states(counterpart) }}
{%- endmacro %}

{% macro of_new_documents(relation, counterpart=none) -%}
    {%- if is_incremental() -%}
        (select * from {{ relation }} where doc_id in ({{ new_documents(counterpart) }}))
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- How a model plans the CTE that selects its input through of_new_documents / of_units_of_new_documents:
    `with readings as {{ slice_cte() }} (select * from {{ of_new_documents(ref('int_fact_readings')) }} …)`, and every
    other use of that input reads the CTE.
    - incremental: `materialized`.  The CTE holds the rows of the few documents to rebuild, selected once.  Inlined,
      DuckDB planned the `doc_id in (new_documents())` semi-join above each scan of the whole table, so a +100 build at
      10,000 reports read int_fact_readings (2.5 M rows) five to seven times per family: int_check_full_rates 0.58 ->
      0.12 CPU-s for the same rows (bench/README.md, "Build and checks, eleventh round").
    - full build: `not materialized`: the CTE is every row, and a copy of it per CTE spilled beyond memory_limit at
      10,000 reports; inlined, each use scans only its columns with its own filters pushed (macros/checks.sql). -#}
{#- full: the keyword of a full build ('' leaves the choice to DuckDB, for a CTE that had none). -#}
{% macro slice_cte(full='not materialized') -%}
    {{- 'materialized' if is_incremental() else full -}}
{%- endmacro %}

{% macro per_document_intermediate(counterpart=none) -%}
    {%- set arg = ("'" ~ counterpart ~ "'") if counterpart else 'none' %}
    {#- append: the pre-hook has deleted every row of the documents the model selects (of_new_documents), so dbt's
        delete+insert deleted nothing more — at the cost of one more scan of the table's doc_id (int_observations:
        3 M rows, 0.36 CPU-s in a +100 build at 10,000 reports) -#}
    {{ config(materialized='incremental', unique_key='doc_id', incremental_strategy='append',
              on_schema_change='append_new_columns',
              pre_hook="{% if is_incremental() %}delete from {{ this }} where doc_id in ({{ new_documents(" ~ arg ~ ") }}){% endif %}",
              post_hook=["{{ remove_unloaded_documents(this, 'any') }}",
                         "create schema if not exists build_state",
                         "{{ record_built_states(" ~ arg ~ ") }}"]) }}
-- depends_on: {{ ref('int_document_versions') }}
{%- endmacro %}
