{#- persist_docs (models: +persist_docs relation and columns, dbt_project.yml) writing only the comments that differ
    from those the relation already holds.

    dbt's default re-applies every comment after every build of a model: for an incremental model, whose table
    survives the build with its comments, that was four statements a node (the table's comment, two DESCRIBEs,
    every column's comment) re-writing what was there — about a third of the SQL statements dbt runs for a
    per-document model in a +100 build (issue #14).  Here one catalogue query reads the stored comments
    (duckdb_tables / duckdb_views and duckdb_columns), and one statement writes those that differ: all of them
    for a table just created, none for an incremental table whose descriptions did not change.  The comments
    stored afterwards are dbt's: the model's description on the relation, each documented column's on the
    column (exact name, as dbt-duckdb's duckdb__alter_column_comment), with dbt's warning for a documented column
    the relation does not have (validate_doc_columns). -#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
    {%- set want_relation = for_relation and config.persist_relation_docs() and model.description -%}
    {%- set want_columns = for_columns and config.persist_column_docs() and model.columns -%}
    {%- if want_relation or want_columns -%}
        {%- set names -%}
            database_name = '{{ relation.database }}' and schema_name = '{{ relation.schema }}'
        {%- endset -%}
        {%- set stored_sql -%}
            {%- if relation.type == 'view' %}
            select null as column_name, comment from duckdb_views() where {{ names }} and view_name = '{{ relation.identifier }}'
            {%- else %}
            select null as column_name, comment from duckdb_tables() where {{ names }} and table_name = '{{ relation.identifier }}'
            {%- endif %}
            union all
            select column_name, comment from duckdb_columns() where {{ names }} and table_name = '{{ relation.identifier }}'
        {%- endset -%}
        {%- set stored = run_query(stored_sql) -%}
        {%- set relation_comment = [] -%}
        {%- set column_comments = {} -%}
        {%- for row in stored.rows -%}
            {%- if row[0] is none -%}
                {%- do relation_comment.append(row[1]) -%}
            {%- else -%}
                {%- do column_comments.update({row[0]: row[1]}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set statements = [] -%}
        {%- if want_relation and (relation_comment | first) != model.description -%}
            {%- do statements.append(alter_relation_comment(relation, model.description)) -%}
        {%- endif -%}
        {%- if want_columns -%}
            {%- set filtered = validate_doc_columns(relation, model.columns, column_comments.keys() | list) -%}
            {%- for column_name in filtered if column_name in column_comments -%}
                {%- set description = filtered[column_name]['description'] -%}
                {%- if column_comments[column_name] != description -%}
                    {%- set name = adapter.quote(column_name) if filtered[column_name]['quote'] else column_name -%}
                    {%- do statements.append('comment on column ' ~ relation ~ '.' ~ name ~ ' is ' ~ duckdb_escape_comment(description) ~ ';') -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
        {%- if statements -%}
            {%- do run_query(statements | join('\n')) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
