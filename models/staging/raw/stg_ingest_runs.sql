select * from {{ source('raw', 'ingest_runs') }}
