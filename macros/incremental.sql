{#- Facts are built per document.  An incremental run processes only documents
    ingested after the newest one already in the table (new files, or files
    re-parsed by a new parser version), and counted documents the table does not
    hold yet (an older version that counts again because the version that
    shadowed it was replaced or cut short); delete+insert on doc_id replaces their
    rows, and the post-hook removes rows of documents that were superseded or
    are shadowed by a preferred report of the same unit-year (see int_document_versions). -#}

{% macro only_new_documents(ingested_at_column) -%}
    {%- if is_incremental() -%}
        and ({{ ingested_at_column }} > (select coalesce(max(ingested_at), timestamp '1900-01-01') from {{ this }})
             or {{ ingested_at_column | replace('ingested_at', 'doc_id') }} not in (select doc_id from {{ this }}))
    {%- endif -%}
{%- endmacro %}

{#- basis: the marts of the 决算 ('final') hold only counted final accounts; a document relabelled a 预算 leaves them. -#}
{% macro remove_unloaded_documents(relation, basis='final') -%}
    delete from {{ relation }}
    where doc_id not in (
        select doc_id from {{ ref('int_document_versions') }} where is_loaded and basis = '{{ basis }}'
    )
{%- endmacro %}

{#- The configuration every per-document fact mart shares: rebuilt by doc_id, pruned of documents
    that no longer count.  Call it first in the model: {{ per_document_incremental() }} -#}
{% macro per_document_incremental(basis='final') -%}
    {{ config(materialized='incremental', unique_key='doc_id', incremental_strategy='delete+insert',
              on_schema_change='append_new_columns',
              post_hook="{{ remove_unloaded_documents(this, '" ~ basis ~ "') }}") }}
{%- endmacro %}
