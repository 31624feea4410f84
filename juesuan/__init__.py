"""juesuan — the analyst-facing tool: one CLI over ingest, dbt and the GE checks."""
