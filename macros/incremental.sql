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

{#- Check families (models/intermediate/checks/) whose identities stay within one document are built per
    document too: {{ per_document_checks() }} first in the model, and every table of figures it reads
    wrapped as {{ of_new_documents(ref('int_facts')) }}.  An incremental run evaluates only the documents
    that are counted and either not in the table yet or ingested after the newest one it holds (a document
    with no identity of the family is evaluated again each run: it yields nothing).  The pre-hook clears
    those documents first, so a document that now yields fewer checks loses the old ones; the post-hook
    prunes documents that no longer count.  Families that compare documents (yoy, budget_vs_final) stay
    tables. -#}
{% macro new_documents() -%}
    select v.doc_id from {{ ref('int_document_versions') }} as v
    where v.is_loaded and (
        v.doc_id not in (select t.doc_id from {{ this }} as t)
        or v.ingested_at > (select coalesce(max(w.ingested_at), timestamp '1900-01-01')
                            from {{ ref('int_document_versions') }} as w
                            where w.doc_id in (select t.doc_id from {{ this }} as t)))
{%- endmacro %}

{% macro of_new_documents(relation) -%}
    {%- if is_incremental() -%}
        (select * from {{ relation }} where doc_id in ({{ new_documents() }}))
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{% macro per_document_checks() -%}
    {{ config(materialized='incremental', unique_key='doc_id', incremental_strategy='delete+insert',
              on_schema_change='append_new_columns',
              pre_hook="{% if is_incremental() %}delete from {{ this }} where doc_id in ({{ new_documents() }}){% endif %}",
              post_hook="{{ remove_unloaded_documents(this, 'any') }}") }}
-- depends_on: {{ ref('int_document_versions') }}
{%- endmacro %}
