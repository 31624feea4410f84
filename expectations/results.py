"""The outcome of a checkpoint run, without Great Expectations: what the CLI prints, records
(juesuan.status.record_checks) and reuses when nothing changed — importing this module does not import GE."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass
class Outcome:
    """One expectation's result, flattened for summaries and persistence."""

    suite: str
    kind: str                    # integrity | identity
    expectation: str             # its description (the name analysts see)
    expectation_type: str
    success: bool
    unexpected_count: int | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    check_name: str | None = None
    error: str | None = None


@dataclass
class CheckRun:
    """One checkpoint run: when, every expectation's outcome, the Data Docs index.  ``reused`` is True when
    the outcomes are those recorded by an earlier run on the same warehouse state (checked_at is then that
    run's time; see juesuan.status.reusable_checks)."""
    checked_at: datetime
    outcomes: list[Outcome]
    docs_index: Path | None
    reused: bool = False
    scope: dict | None = None    # which rows were validated (expectations.scope.Scope.describe); None: reused

    @property
    def integrity_failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == "integrity" and not o.success]

    @property
    def identity_outcomes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == "identity"]

    @property
    def findings(self) -> list[Outcome]:
        return [o for o in self.identity_outcomes if not o.success]

    @property
    def ok(self) -> bool:
        """True when the warehouse is sound (findings about reports do not count against it)."""
        return not self.integrity_failures and not any(o.error for o in self.identity_outcomes)


def to_json(run: CheckRun) -> str:
    return json.dumps({
        "checked_at": run.checked_at.isoformat(), "ok": run.ok, "data_docs": str(run.docs_index or ""),
        "scope": run.scope,
        "outcomes": [o.__dict__ for o in run.outcomes],
    }, ensure_ascii=False, indent=1, default=str)


def add_checks_code(digest) -> None:
    """Feed a hashlib digest what, besides the rows, decides the checks' outcomes: the checks' own code
    (expectations/*.py) and Great Expectations' version (used by expectations.scope and juesuan.status)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        digest.update(version("great_expectations").encode())
    except PackageNotFoundError:  # pragma: no cover - a declared dependency
        pass
    for f in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
