"""Where things live.  The project root holds the dbt project; the warehouse is one DuckDB file."""
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


def data_docs_dir(db: Path) -> Path:
    return db.parent / "data_docs"


def report_html(db: Path) -> Path:
    return db.parent / "report.html"
