"""The dbt docs site as one file that opens from file:// without network: ``dbt docs generate --static``.

``--static`` (dbt ≥ 1.7) writes ``target/static_index.html`` with the manifest and catalog inlined, so no
fetch of ``manifest.json``/``catalog.json`` is needed (browsers refuse those from file://).  dbt's page
still makes the browser request two kinds of local URLs that do not exist; they are rewritten after
generation (`offline`):

- the sidebar's ``<use xlink:href="{{ getIcon(...) }}">`` is an AngularJS template the browser resolves as
  a URL before Angular interpolates it — it becomes ``ng-attr-xlink:href`` (Angular sets the attribute
  once it has a value);
- the favicon link ``href="${require('./assets/favicons/favicon.ico')}"`` is an unbuilt webpack
  placeholder — it is dropped.

Usage statistics stay off (``DBT_SEND_ANONYMOUS_USAGE_STATS=false`` in juesuan.dbt), so the page's
tracker is never loaded.
"""
from __future__ import annotations

import re
from pathlib import Path

from juesuan.dbt import DbtOutcome, run_dbt, target_dir

_ICON = re.compile(r'<use xlink:href="\{\{')
_FAVICON = re.compile(r'<link rel="shortcut icon" href="\$\{require\([^)]*\)\}"\s*/?>')


def static_index(db: Path) -> Path:
    """Where the static dbt docs page of warehouse ``db`` is written."""
    return target_dir(db) / "static_index.html"


def offline(html: str) -> str:
    """dbt's static docs page with the two self-requests described in the module docstring removed."""
    return _FAVICON.sub("", _ICON.sub('<use ng-attr-xlink:href="{{', html))


def generate(db: Path) -> DbtOutcome:
    """Run ``dbt docs generate --static`` for warehouse ``db`` and make its page offline-clean.

    Returns dbt's outcome; on success the page is ``static_index(db)``."""
    outcome = run_dbt(["docs", "generate", "--static"], db)
    page = static_index(db)
    if outcome.success and page.is_file():
        page.write_text(offline(page.read_text(encoding="utf-8")), encoding="utf-8")
    return outcome
