"""Self-evaluation tables that survive as grids (tab-separated or one cell per line).

Exported self-evaluation tables are full of merged cells, so rows do not line
up with the header: a label printed in the middle of a merged block, a row
shifted left by one.  Cells are therefore understood by meaning, not by
position:

* blocks are found by their label (项目名称, 项目资金, 绩效指标, 年度主要任务, 总分 …);
* in the funding block each row is aligned to the header by its own label;
* an indicator row is anchored on its score pair (分值, 得分): the cells before
  the pair are, right to left, the header's columns before 分值; the cells
  after it are the deviation reason; what is left in front are the level
  labels and the indicator name, told apart by the template's vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ingest import vocab
from ingest.grids import Cell, Grid
from ingest.model import Indicator, Observation, ParseIssue, Reject, TableCell
from ingest.normalize import squash
from ingest.numbers import is_blank, is_dash, money_to_wan, parse_plain, parse_value_with_unit, quantize
from ingest.performance import DEPARTMENT_PROJECT, project_name
from ingest.tables.header import column_paths

# ------------------------------------------------------------ vocabulary
_PROJECT_LABELS = {"项目名称"}
_DEPARTMENT_LABELS = {"部门（单位）名称", "部门(单位)名称", "部门名称", "单位名称"}
_FUNDING_LABELS = ("项目资金", "资金情况")
_GOAL_LABELS = ("年度总体目标", "总体目标")
_INDICATOR_LABELS = ("绩效指标", "年度绩效指标")
_TASK_LABELS = ("年度主要任务",)
_SKIP_LABELS = ("主管部门", "项目主管单位", "实施单位", "项目实施单位", "项目支出绩效自评表", "绩效自评表")

FUNDING_ROWS: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern), key) for pattern, key in (
    (r"年度资金总额|资金总额|合计", "total"),
    (r"上级财政资金|上级补助", "superior"),
    (r"当年财政拨款|财政拨款|本级财政资金|财政资金", "fiscal"),
    (r"上年结转", "carryover"),
    (r"其他资金|其他", "other"),
)]

FUNDING_COLUMNS: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern), key) for pattern, key in (
    (r"年初预算", "budget_initial"),
    (r"全年预算|调整后预算|预算数", "budget_full_year"),
    (r"全年执行|实际完成|执行数|实际支出", "executed"),
    (r"执行率|完成率", "execution_rate"),
    (r"分值|权重", "funding_weight"),
    (r"得分", "funding_score"),
)]

INDICATOR_COLUMNS: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern), key) for pattern, key in (
    (r"^一级指标", "level1"),
    (r"^二级指标", "level2"),
    (r"^(?:三级指标|指标内容|指标名称|绩效指标内容)", "name"),
    (r"^指标性质", "nature"),
    (r"^指标方向|^评价标准", "direction"),
    (r"实际完成|完成值|目标完成情况|实际值", "actual"),
    (r"(?:年度|预期|设定)?(?:指标值|目标值)", "target"),
    (r"^计量单位|^度量单位|^单位$", "unit"),
    (r"^分值|^权重", "weight"),
    (r"^得分", "score"),
    (r"完成率", "completion"),
    (r"偏差原因|原因分析|改进措施|备注", "reason"),
)]


def _match(table: list[tuple[re.Pattern[str], str]], text: str) -> str | None:
    """The key of the first of ``table``'s (pattern, key) rows whose pattern the squashed header text matches."""
    t = squash(text)
    for pattern, key in table:
        if pattern.search(t):
            return key
    return None


def _block_label(row: list[Cell]) -> str | None:
    for cell in row[:3]:
        t = squash(cell.text)
        if not t:
            continue
        if t in _PROJECT_LABELS:
            return "project"
        if t in _DEPARTMENT_LABELS:
            return "department"
        if t.startswith(_FUNDING_LABELS):
            return "funding"
        if t.startswith(_GOAL_LABELS):
            return "goals"
        if t.startswith(_TASK_LABELS):
            return "tasks"
        if t.startswith(_INDICATOR_LABELS):
            return "indicators"
        if t in ("总分", "合计得分", "自评总分", "综合得分"):
            return "total"
        if t.startswith("金额合计"):
            return "task_total"
        if t.startswith(_SKIP_LABELS):
            return "skip"
        return None
    return None


_PERFORMANCE_BLOCKS = {"project", "department", "funding", "tasks"}


def is_performance_grid(grid: Grid) -> bool:
    """A self-evaluation table: a row opens one of its blocks (项目名称, 资金, 任务 …) or holds the indicator
    header 一级指标.  Decided at the first such row (a self-evaluation table says so in its first rows)."""
    return any(_block_label(row) in _PERFORMANCE_BLOCKS or any(squash(c.text) == "一级指标" for c in row)
               for row in grid.rows)


# -------------------------------------------------------------- parsing
@dataclass
class _Table:
    project: str | None
    project_kind: str
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)


def _non_empty(row: list[Cell]) -> list[Cell]:
    return [c for c in row if c.text.strip()]


def _is_number(text: str) -> bool:
    return parse_plain(text.replace("%", "")) is not None


class PerformanceParser:
    """Parses all self-evaluation grids of one document."""

    def __init__(self, fiscal_year: int | None, next_indicator_no: int = 1):
        self.year = fiscal_year
        self.indicator_no = next_indicator_no
        self.observations: list[Observation] = []
        self.indicators: list[Indicator] = []
        self.rejects: list[Reject] = []
        self.issues: list[ParseIssue] = []
        self.cells: list[TableCell] = []

    # ---- emission helpers
    def _obs(self, cell: Cell, project: str, project_kind: str, measure: str, item: str | None,
             value: Decimal, unit: str, decimals: int, table_no: int, snippet: str,
             indicator_no: int | None = None, text: str | None = None) -> None:
        # positional, in the order of Observation's fields (see ingest.model: 3x cheaper than by keyword); its
        # callers pass their arguments by position too (≈ 95 a report)
        self.observations.append(Observation(
            "indicator" if indicator_no else "project", measure, value, unit,  # kind, measure, value, unit
            text or cell.text, "table", cell.line_no, item, None, self.year,  # value_text … scope, fiscal_year
            None, None, None, project, project_kind, None,  # function_code … project_kind, project_key
            indicator_no, None, decimals, None, "perf", table_no,  # indicator_no … table_code, table_no
            cell.col, "绩效自评表", snippet[:240],  # col_no, section, snippet (flags, source_ref: none)
        ))

    def _money_or_rate(self, cell: Cell, measure: str, project: str, project_kind: str, item: str | None,
                       table_no: int, snippet: str) -> None:
        text = cell.text.strip()
        if is_blank(text) or is_dash(text):
            return
        pct = text.endswith("%")
        parsed = parse_plain(text.rstrip("%").strip())
        if parsed is None:
            self.rejects.append(Reject(cell.line_no, text, "malformed_number", snippet, "table"))
            return
        if measure == "execution_rate":
            unit = "%"
        elif measure.startswith("funding_") or measure in ("score", "max_score"):
            unit = "分"
        else:
            unit = "%" if pct else "万元"
        self._obs(cell, project, project_kind, measure, item, parsed.value, unit, parsed.decimals, table_no, snippet)

    # ---- entry point
    def parse_grid(self, grid: Grid, table_no: int, context_project: str | None) -> None:
        for t in self._split(grid, context_project):
            self._parse_table(grid, t, table_no)

    def _split(self, grid: Grid, context_project: str | None) -> list[_Table]:
        tables: list[_Table] = []
        current: _Table | None = None
        for r, row in enumerate(grid.rows):
            label = _block_label(row)
            if label in ("project", "department") or current is None:
                name = context_project
                kind = "project"
                if label == "project":
                    rest = [c.text for c in _non_empty(row)[1:]]
                    name = project_name(rest[0]) if rest else context_project
                elif label == "department":
                    name, kind = DEPARTMENT_PROJECT, "department"
                if current is None or label in ("project", "department"):
                    current = _Table(name, kind)
                    tables.append(current)
            current.rows.append((r, row))
        # a title row above the first 项目名称 row is not a table of its own
        return [t for t in tables if any(_block_label(row) not in (None, "skip") or
                                         any(squash(c.text) == "一级指标" for c in row) for _, row in t.rows)]

    def _parse_table(self, grid: Grid, table: _Table, table_no: int) -> None:
        block: str | None = None
        funding_header: list[tuple[int, str]] = []  # (column index, measure)
        indicator_header: list[tuple[int, str]] = []
        task_rows_header: list[list[str]] = []
        task_paths: list[list[str]] | None = None
        level1 = level2 = None
        first_indicator = len(self.indicators)
        project = table.project or "未命名项目"
        if table.project is None:
            self.issues.append(ParseIssue("warning", f"line {table.rows[0][1][0].line_no if table.rows and table.rows[0][1] else grid.first_line}",
                                          "self-evaluation table without a project name"))
        for r, row in table.rows:
            snippet = " | ".join(c.text for c in row if c.text)[:240]
            label = _block_label(row)
            texts = [squash(c.text) for c in row]
            if "一级指标" in texts:
                block = "indicators"
                indicator_header = [(c.col, key) for c in row if (key := _match(INDICATOR_COLUMNS, c.text)) and key not in ("level1",)]
                indicator_header = [(col, key) for col, key in indicator_header if texts[col] not in ("绩效指标",)]
                level1 = level2 = None
                continue
            if label == "funding":
                block = "funding"
                funding_header = [(c.col, key) for c in row[1:] if (key := _match(FUNDING_COLUMNS, c.text))]
                continue
            if label == "tasks":
                block = "tasks"
                task_rows_header = [[c.text for c in row]]
                task_paths = None
                continue
            if label in ("goals", "skip", "project", "department"):
                block = label if label == "goals" else block
                continue
            if label == "indicators":
                block = "indicators"
                # a '绩效指标' row that is not the header: an indicator row whose
                # first cell is the merged section label; fall through
            if label == "total":
                nums = [c for c in row if _is_number(c.text)]
                if len(nums) >= 2:
                    self._money_or_rate(nums[-2], "max_score", project, table.project_kind, None, table_no, snippet)
                    self._money_or_rate(nums[-1], "score", project, table.project_kind, None, table_no, snippet)
                block = None
                continue
            if block == "funding":
                self._funding_row(row, funding_header, project, table.project_kind, table_no, snippet)
            elif block == "tasks":
                if task_paths is None and not any(_is_number(c.text) for c in row):
                    task_rows_header.append([c.text for c in row])
                    continue
                if task_paths is None:
                    ncols = max(len(h) for h in task_rows_header)
                    task_paths = column_paths(task_rows_header, ncols)
                self._task_row(row, task_paths, project, table.project_kind, table_no, snippet, label == "task_total")
            elif block == "indicators":
                ind = self._indicator_row(row, indicator_header, project, table.project_kind, table_no, snippet,
                                          grid.layout)
                if ind is None:
                    continue
                # 二级 carries down a merged block; 一级 is the printed label, else the
                # template's parent of the 二级, else carried down.
                level2 = ind.level2 = ind.level2 or level2
                level1 = ind.level1 = ind.level1 or vocab.LEVEL2_TO_LEVEL1.get(level2 or "") or level1
        self.backfill_levels(self.indicators[first_indicator:])

    @staticmethod
    def backfill_levels(indicators: list[Indicator]) -> None:
        """Rows above the first printed level label (merged cell centred lower) take it."""
        for attr in ("level1", "level2"):
            first = next((getattr(i, attr) for i in indicators if getattr(i, attr)), None)
            for ind in indicators:
                if getattr(ind, attr):
                    break
                setattr(ind, attr, first)

    # ---- funding block
    def _funding_row(self, row, header, project, project_kind, table_no, snippet) -> None:
        label_cell = next((c for c in row if c.text.strip() and not _is_number(c.text) and not is_dash(c.text)), None)
        if label_cell is None or not header:
            return
        item = None
        for pattern, key in FUNDING_ROWS:
            if pattern.search(squash(label_cell.text)):
                item = key
                break
        if item is None:
            self.rejects.append(Reject(label_cell.line_no, label_cell.text, "unknown_funding_row", snippet, "table"))
            return
        offset = (label_cell.col + 1) - header[0][0]
        by_col = {c.col: c for c in row}
        for col, measure in header:
            cell = by_col.get(col + offset)
            if cell is None:
                continue
            if measure in ("funding_weight", "funding_score") and item != "total":
                continue
            self._money_or_rate(cell, measure, project, project_kind, item, table_no, snippet)

    # ---- department task block
    def _task_row(self, row, paths, project, project_kind, table_no, snippet, is_total) -> None:
        cells = [c for c in row]
        pct_at = next((i for i in range(len(cells) - 1, -1, -1) if cells[i].text.strip().endswith("%")), None)
        if pct_at is None:
            return
        money_cols = [j for j, p in enumerate(paths)
                      if re.search("预算|执行", "".join(p)) and not re.search("率|分值|得分", "".join(p))]
        numbers = [c for c in cells[:pct_at - 1] if _is_number(c.text) or is_dash(c.text)]
        texts = [c for c in cells[:pct_at - 1] if c.text.strip() and not _is_number(c.text) and not is_dash(c.text)]
        if is_total:
            name, kind = DEPARTMENT_PROJECT, "department"
        else:
            name_cells = [c for c in texts if not squash(c.text).startswith(_TASK_LABELS)]
            if not name_cells:
                return
            name, kind = project_name(name_cells[0].text), "department_task"
        money = numbers[-len(money_cols):] if money_cols else numbers
        for cell, col in zip(money, money_cols[-len(money):] if money_cols else []):
            path = "".join(paths[col])
            measure = "executed" if "执行" in path else "budget_full_year"
            item = "fiscal" if "财政拨款" in path else "other" if "其他" in path else "total"
            self._money_or_rate(cell, measure, name, kind, item, table_no, snippet)
        self._money_or_rate(cells[pct_at], "execution_rate", name, kind, "total", table_no, snippet)
        if pct_at >= 1:
            self._money_or_rate(cells[pct_at - 1], "funding_weight", name, kind, "total", table_no, snippet)
        if pct_at + 1 < len(cells):
            self._money_or_rate(cells[pct_at + 1], "funding_score", name, kind, "total", table_no, snippet)

    # ---- indicator block
    def _indicator_row(self, row, header, project, project_kind, table_no, snippet, layout) -> Indicator | None:
        cells = list(row)
        while cells and not cells[-1].text.strip():
            cells.pop()
        if not cells:
            return None
        keys = [key for _, key in sorted(header)]
        tail = keys[keys.index("name") + 1:] if "name" in keys else [k for k in keys if k not in ("level2",)]
        values: dict[str, Cell] = {}
        if "weight" in tail and "score" in tail:
            after = tail[tail.index("score") + 1:]
            before = tail[: tail.index("weight")]
            anchor = None
            for i in range(len(cells) - 2, -1, -1):
                if _is_number(cells[i].text) and _is_number(cells[i + 1].text):
                    trailing = [c for c in cells[i + 2:] if c.text.strip()]
                    if len(trailing) <= len(after):
                        anchor = i
                        break
            if anchor is None:
                if any(c.text.strip() for c in cells):
                    self.issues.append(ParseIssue("warning", f"line {cells[0].line_no}",
                                                  f"indicator row without a score pair: {snippet[:80]}"))
                    for c in cells:
                        if _is_number(c.text):
                            self.rejects.append(Reject(c.line_no, c.text, "indicator_row_without_scores", snippet, "table"))
                return None
            values["weight"], values["score"] = cells[anchor], cells[anchor + 1]
            for key, cell in zip(after, cells[anchor + 2:]):
                values[key] = cell
            extra = [c for c in cells[anchor + 2 + len(after):] if c.text.strip()]
            if extra and "reason" in values:  # a reason split over several cells
                first = values["reason"]
                values["reason"] = Cell(" ".join([first.text] + [c.text for c in extra]), first.line_no, first.col)
            start = anchor - len(before)
            for key, cell in zip(before, cells[max(start, 0):anchor]):
                values[key] = cell
            prefix = cells[: max(start, 0)]
        else:
            start = len(cells) - len(tail)
            for key, cell in zip(tail, cells[max(start, 0):]):
                values[key] = cell
            prefix = cells[: max(start, 0)]
        # level labels and the indicator name, told apart by vocabulary
        labels = [c for c in prefix if c.text.strip() and squash(c.text) not in ("绩效指标", "年度绩效指标完成情况")
                  and not squash(c.text).startswith(_INDICATOR_LABELS[1])]
        l1 = l2 = None
        names: list[Cell] = []
        vocab_cells = [c for c in labels if vocab.level1_of(c.text) or vocab.level2_of(c.text)]
        for c in labels:
            if c in vocab_cells:
                is_l1 = vocab.level1_of(c.text) is not None
                is_l2 = vocab.level2_of(c.text) is not None
                others_after = [v for v in vocab_cells if v.col > c.col]
                if is_l1 and l1 is None and (not is_l2 or others_after):
                    l1 = vocab.level1_of(c.text)
                elif is_l2 and l2 is None:
                    l2 = vocab.level2_of(c.text)
                else:
                    names.append(c)
            else:
                names.append(c)
        if not names:
            return None
        name_cell = names[-1]
        text_of = lambda k: values[k].text.strip() if k in values and values[k].text.strip() else None  # noqa: E731
        ind = Indicator(
            indicator_no=self.indicator_no, project=project, project_kind=project_kind, level1=l1, level2=l2,
            indicator=squash(name_cell.text), nature=text_of("nature"), direction=text_of("direction"),
            target_text=text_of("target"), actual_text=text_of("actual"), unit_text=text_of("unit"),
            completion_text=text_of("completion"), deviation_reason=text_of("reason"),
            line_no=name_cell.line_no, layout=layout,
        )
        self.indicator_no += 1
        no = ind.indicator_no
        for key in ("weight", "score"):
            if key in values:
                parsed = parse_plain(values[key].text)
                if parsed is not None:
                    setattr(ind, key, parsed.value)
                    self._obs(values[key], project, project_kind, key, None, parsed.value, "分", parsed.decimals,
                              table_no, snippet, no)
        for key, measure in (("target", "target_value"), ("actual", "actual_value")):
            if key not in values:
                continue
            v = parse_value_with_unit(values[key].text)
            if v is None:
                continue
            unit = v.unit or (ind.unit_text or "")
            value = v.value
            if unit in ("万元", "万", "元", "亿元"):
                value, unit = quantize(money_to_wan(value, unit)), "万元"
            self._obs(values[key], project, project_kind, measure, None, value, unit or "", v.decimals, table_no, snippet,
                      no)
        self.indicators.append(ind)
        return ind

