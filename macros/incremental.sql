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
    incremental run rebuilds the counted documents whose state the table does not hold — new documents,
    re-read ones, and ones whose basis, unit or year changed (a document with no row in the table is
    evaluated again each run: it yields nothing).  The pre-hook clears them first, so a document that now
    yields fewer rows loses the old ones; the post-hook prunes documents that no longer count.  Families
    that compare documents (yoy, budget_vs_final) pass a counterpart: a row's state is then its document's
    and its counterparts' (macros/comparisons.sql). -#}
{#- counterpart: for a family that compares documents, the documents a document's rows also depend on
    (macros/comparisons.sql document_states); none: the document alone. -#}
{% macro new_documents(counterpart=none) -%}
    select v.doc_id from ({{ document_states(counterpart) }}) as v
    where not exists (
        select 1 from {{ this }} as t where t.doc_id = v.doc_id and t.document_state = v.state_key)
{%- endmacro %}

{% macro of_new_documents(relation, counterpart=none) -%}
    {%- if is_incremental() -%}
        (select * from {{ relation }} where doc_id in ({{ new_documents(counterpart) }}))
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{% macro per_document_intermediate(counterpart=none) -%}
    {%- set arg = ("'" ~ counterpart ~ "'") if counterpart else 'none' %}
    {{ config(materialized='incremental', unique_key='doc_id', incremental_strategy='delete+insert',
              on_schema_change='append_new_columns',
              pre_hook="{% if is_incremental() %}delete from {{ this }} where doc_id in ({{ new_documents(" ~ arg ~ ") }}){% endif %}",
              post_hook="{{ remove_unloaded_documents(this, 'any') }}") }}
-- depends_on: {{ ref('int_document_versions') }}
{%- endmacro %}
