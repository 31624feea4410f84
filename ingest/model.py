"""Rows produced by parsing one document (before they are loaded into DuckDB).

The row classes have ``__slots__`` (``dataclass(slots=True)``): a report makes ≈ 1,100 TableCells and ≈ 310
Observations, and a slotted instance is built faster (a TableCell ≈ 2× faster, positional arguments) and is
smaller; ``ingest.load`` reads their fields with one ``attrgetter`` each (no ``__dict__``)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal


@dataclass(slots=True)
class Observation:
    """One figure read from the document, with everything needed to trace it.

    The order of the fields is part of the interface: the parsers' hot paths (the narrative interpreter,
    standard and self-evaluation tables, ≈ 310 a report) build Observations positionally — on CPython 3.11
    ≈ 1.6 µs against ≈ 5.3 by keyword, ≈ 1 CPU-ms a report — and tests/test_ingest_speed.py pins the order."""

    kind: str  # revenue | expenditure | expenditure_economic | three_public | staff | assets | ...
    measure: str  # amount | budget_initial | share_pct | yoy_change | count | score | ...
    value: Decimal
    unit: str  # 万元 | % | 人 | 辆 | 分 | … (money always converted to 万元)
    value_text: str  # exactly as printed, with its unit
    source_kind: str  # table | narrative
    line_no: int
    item: str | None = None
    scope: str | None = None  # funding scope: all | fiscal | general_budget | gov_fund | state_capital
    fiscal_year: int | None = None
    function_code: str | None = None
    subject_name: str | None = None  # names as printed (function chain, economic item, label …)
    economic_code: str | None = None
    project: str | None = None
    project_kind: str | None = None  # project | department | department_task
    project_key: str | None = None  # matching key: one project named differently in table and prose
    indicator_no: int | None = None  # links to the document's indicator rows
    ref_key: str | None = None  # the metric a share/change/completion is relative to
    decimals: int = 0
    printed_unit: str | None = None
    table_code: str | None = None  # 01..09 for standard tables, perf for self-evaluation tables
    table_no: int | None = None
    col_no: int | None = None
    section: str | None = None
    snippet: str | None = None
    flags: str | None = None
    source_ref: str | None = None  # where it was read, in the source's own terms ('p10 T1 R5 C3'); None: from line/col

    def key(self) -> tuple:
        return (self.kind, self.item, self.scope, self.measure, self.function_code, self.subject_name,
                self.economic_code, self.project, self.indicator_no, self.fiscal_year)


@dataclass(slots=True)
class Reject:
    """Text that looked like a figure but could not be attributed."""

    line_no: int
    value_text: str
    reason: str
    snippet: str
    source_kind: str = "narrative"
    source_ref: str | None = None


@dataclass(slots=True)
class Indicator:
    """One row of a performance self-evaluation indicator table."""

    indicator_no: int
    project: str | None
    project_kind: str
    level1: str | None
    level2: str | None
    indicator: str
    nature: str | None = None  # 指标性质 (正向/反向/定性)
    direction: str | None = None  # 指标方向 (大于等于/小于等于/等于 …)
    target_text: str | None = None
    actual_text: str | None = None
    unit_text: str | None = None
    weight: Decimal | None = None
    score: Decimal | None = None
    completion_text: str | None = None
    deviation_reason: str | None = None
    line_no: int = 0
    layout: str = ""
    project_key: str | None = None


@dataclass(slots=True)
class TableCell:
    table_no: int
    table_code: str | None
    table_title: str | None
    row_no: int
    col_no: int
    line_no: int
    text: str
    value: Decimal | None
    role: str  # header | label | value | blank | dash | text
    source_ref: str | None = None  # the cell in the source file's terms ('p10 T1 R5 C3', 'T2 R5 C3', 'Sheet1!D7')


@dataclass(slots=True)
class SectionRow:
    seq: int
    level: int
    number: str | None
    title: str
    line_no: int
    end_line: int
    parent_seq: int | None


@dataclass(slots=True)
class ParseIssue:
    severity: str  # warning | error
    place: str
    message: str


@dataclass(slots=True)
class ParseResult:
    observations: list[Observation] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    sections: list[SectionRow] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)


def columns_of(cls) -> list[str]:
    return [f.name for f in fields(cls)]
