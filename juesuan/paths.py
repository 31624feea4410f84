"""Where things live.  The project root holds the dbt project; the warehouse is one DuckDB file.

A warehouse's outputs (report.html, the site, Great Expectations data_docs/, dbt's target and logs, the SQL
prompt's history) live in a folder of their own, so two warehouses in one folder (scratch files in /tmp) never
overwrite each other's: ``<stem>_outputs/`` beside the file (``/tmp/a.duckdb`` → ``/tmp/a_outputs/``).
The project's own warehouse ``warehouse/juesuan.duckdb`` is alone in ``warehouse/``, which is its output
folder, as README.md documents (``warehouse/report.html``, ``warehouse/data_docs/``).
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_REPORTS = ROOT / "data" / "reports"
DEFAULT_DB = ROOT / "warehouse" / "juesuan.duckdb"


def warehouse_path(explicit: str | os.PathLike | None = None) -> Path:
    """--db, else $JUESUAN_DB, else warehouse/juesuan.duckdb in the project (always absolute)."""
    chosen = explicit or os.environ.get("JUESUAN_DB") or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def outputs_dir(db: Path) -> Path:
    """The folder of one warehouse's outputs: ``warehouse/`` for the project's warehouse, else
    ``<stem>_outputs/`` beside the DuckDB file (``/tmp/x.duckdb`` → ``/tmp/x_outputs``).  Not created here."""
    db = Path(db).expanduser().resolve()
    if db == DEFAULT_DB.resolve():
        return db.parent
    return db.parent / f"{db.stem}_outputs"


def data_docs_dir(db: Path) -> Path:
    """Great Expectations Data Docs of ``db`` (a folder in its outputs_dir)."""
    return outputs_dir(db) / "data_docs"


def report_html(db: Path) -> Path:
    """The full findings page of ``db`` (written by `juesuan run` and an unfiltered `juesuan report`)."""
    return outputs_dir(db) / "report.html"


def site_dir(db: Path) -> Path:
    """Where `juesuan site` writes the static site of ``db`` unless told (a folder in its outputs_dir)."""
    return outputs_dir(db) / "site"


def dbt_target_dir(db: Path) -> Path:
    """dbt's target folder (manifest, run_results.json, the docs site) for ``db``."""
    return outputs_dir(db) / "dbt_target"


def dbt_log_dir(db: Path) -> Path:
    """dbt's log folder (dbt.log) for ``db``."""
    return outputs_dir(db) / "logs"


def sql_history(db: Path) -> Path:
    """The `juesuan sql` prompt's history file for ``db``."""
    return outputs_dir(db) / "sql_history"
