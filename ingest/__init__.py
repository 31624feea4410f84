"""Ingest layer: read 部门决算 reports, find every figure, keep its provenance.

The public entry points are :func:`ingest.parse.parse_file` (one document → rows)
and :func:`ingest.pipeline.ingest_paths` (many documents → DuckDB ``raw`` schema).
"""

# Bump whenever parsing changes what is extracted: documents parsed by an older
# version are re-parsed by the next scheduled run.
PARSER_VERSION = "1.5.0"
