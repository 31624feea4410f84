"""Self-evaluation tables whose grid was lost in PDF text extraction (002 layout).

What is left is a stream of short fragments: every cell wrapped at its column
width, the cells of a row one after another, then a line holding the row's
numbers ("110.7 110.7 110.7 110.7 6.5 100% 6.5").  Vertical section labels
come out one character per line (年/度/主/要/任/务 …).

The parser uses what such a table must contain instead of positions:

* a task row ends with a numbers line of the shape money…, 分值, 执行率%, 得分;
  its money values are half 全年预算数, half 全年执行数 (总额 first);
* the task name is the row's first cell: fragments no wider than the first
  column's wrap width (measured over all rows);
* an indicator row ends with its 分值 and 得分; level labels in front of the
  name are recognised by the template vocabulary and stripped;
* a row whose text is only a date or period ("2023 年全年") printed its 实际完成值 alone, its 指标内容 cell
  left blank (merged with the row above): it is a row of the indicator above it in the same 二级指标, the
  text its actual value;
* 总分 closes the table.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest import vocab
from ingest.lines import ending_with
from ingest.model import Indicator, Observation, Reject
from ingest.normalize import squash
from ingest.numbers import parse_plain
from ingest.paragraphs import page_number_lines
from ingest.performance import DEPARTMENT_PROJECT, is_period_value, project_name

_TITLE = re.compile(r"^(?P<name>.*?)(?P<dept>部门整体支出|整体支出|部门)?绩效自评表\s*$")
_TOTAL = re.compile(r"^总\s*分\s+(?P<max>\d+(?:\.\d+)?)\s+(?P<score>\d+(?:\.\d+)?)\s*$")
_NUM = r"-?\d+(?:,\d{3})*(?:\.\d+)?"
_TASK_NUMBERS = re.compile(rf"^(?P<text>.*?)\s*(?P<nums>(?:(?:{_NUM}|[-—])\s+)+{_NUM}%\s+(?:{_NUM}|[-—]))\s*$")
_INDICATOR_END = re.compile(rf"^(?P<text>.*?)\s*(?P<w>{_NUM})\s+(?P<s>{_NUM})\s*$")
_HEADER_VOCAB = "任务名称主要内容完成情况全年预算数(万元)全年执行数(万元)分值执行率得分总额财政拨款其他资金"
_LEVEL_POINTS = re.compile(r"^[（(]\d+(?:\.\d+)?分[）)]")
_L1 = re.compile(r"^(产出指标|效益指标|满意度指标|成本指标)")
_L2 = re.compile(
    r"^(数量指标|质量指标|时效指标|成本指标|经济成本指标|社会成本指标|生态环境成本指标|社会效益指标|经济效益指标|"
    r"生态效益指标|可持续影响指标|服务对象满意度指标|满意度指标)"
)


@dataclass
class Fragment:
    text: str
    line_no: int


def find_regions(lines: list[str], skip: set[int]) -> list[tuple[int, int, str, str]]:
    """(start, end, project, project_kind) of flattened tables; 0-based inclusive indices."""
    regions = []
    after = 0  # lines before it belong to a region found
    # (a title ends in 绩效自评表: only the lines ending in 表 are looked at)
    for i in ending_with(lines, "表"):
        if i < after or i in skip or "\t" in lines[i]:
            continue
        text = lines[i].strip()
        m = _TITLE.match(squash(text))
        if m and len(text) <= 60:
            end = None
            for j in range(i + 1, min(len(lines), i + 600)):
                if j in skip:
                    break
                if _TOTAL.match(lines[j].strip()):
                    end = j
                    break
            if end is not None:
                dept = m.group("dept") is not None
                project = DEPARTMENT_PROJECT if dept else project_name(m.group("name") or "未命名项目")
                regions.append((i, end, project, "department" if dept else "project"))
                after = end + 1
    return regions


def _fragments(lines: list[str], start: int, end: int) -> list[Fragment]:
    pages = page_number_lines(lines)
    out = []
    for k in range(start, end + 1):
        text = lines[k].strip()
        if text and k not in pages:
            out.append(Fragment(text, k + 1))
    return out


class FlattenedParser:
    def __init__(self, fiscal_year: int | None, next_indicator_no: int):
        self.year = fiscal_year
        self.indicator_no = next_indicator_no
        self.observations: list[Observation] = []
        self.indicators: list[Indicator] = []
        self.rejects: list[Reject] = []

    def _obs(self, frag: Fragment, project, project_kind, measure, item, token, unit, indicator_no=None):
        parsed = parse_plain(token.rstrip("%"))
        if parsed is None:
            return
        self.observations.append(Observation(
            kind="indicator" if indicator_no else "project", measure=measure, value=parsed.value, unit=unit,
            value_text=token, source_kind="table", line_no=frag.line_no, item=item, fiscal_year=self.year,
            project=project, project_kind=project_kind, indicator_no=indicator_no, decimals=parsed.decimals,
            table_code="perf", section="绩效自评表", snippet=frag.text[:240],
        ))

    def parse(self, lines: list[str], start: int, end: int, project: str, project_kind: str) -> None:
        self._project, self._kind = project, project_kind
        self._section: str | None = None
        self._buffer: list[Fragment] = []
        self._task_rows: list[tuple[list[Fragment], Fragment, list[str]]] = []
        self._header_done = False
        self._levels: list[str | None] = [None, None]
        run: list[Fragment] = []
        for frag in _fragments(lines, start + 1, end):
            # Vertical section labels come out as runs of single characters.
            if len(squash(frag.text)) == 1 and not frag.text.isdigit():
                run.append(frag)
                label = "".join(f.text for f in run)
                if label.endswith("主要任务完成情况"):
                    self._section, self._buffer, self._header_done = "tasks", [], False
                elif label.endswith("绩效指标完成情况"):
                    self._section, self._buffer = "indicators", []
                elif label.startswith("年度总体目"):
                    self._section = "goals"
                continue
            if 0 < len(run) < 3:  # a short cell tail such as "转", not a vertical label
                for short in run:
                    self._handle(short)
            run = []
            if self._handle(frag):
                break
        self._tasks(self._task_rows, project, project_kind)

    def _handle(self, frag: Fragment) -> bool:
        """Consume one fragment; True when the table's 总分 row closes it."""
        text, project, project_kind = frag.text, self._project, self._kind
        m_total = _TOTAL.match(text)
        if m_total:
            self._obs(frag, project, project_kind, "max_score", None, m_total.group("max"), "分")
            self._obs(frag, project, project_kind, "score", None, m_total.group("score"), "分")
            return True
        if self._section == "tasks":
            if not self._header_done:
                if squash(text) in _HEADER_VOCAB or all(part in _HEADER_VOCAB for part in text.split()):
                    return False
                self._header_done = True
            m = _TASK_NUMBERS.match(text)
            if m:
                own = m.group("text").strip()
                cells = self._buffer + ([Fragment(own, frag.line_no)] if own else [])
                self._task_rows.append((cells, frag, m.group("nums").split()))
                self._buffer = []
            else:
                self._buffer.append(frag)
        elif self._section == "indicators":
            if squash(text).startswith("一级指标"):
                return False
            m = _INDICATOR_END.match(text)
            if not m:
                self._buffer.append(frag)
                return False
            own = m.group("text").strip()
            name = "".join(squash(f.text) for f in self._buffer) + squash(own)
            l1, l2, name = _strip_levels(name)
            level1, level2 = self._levels
            level2 = l2 or level2
            level1 = l1 or vocab.LEVEL2_TO_LEVEL1.get(level2 or "") or level1
            self._levels = [level1, level2]
            actual = None
            above = self.indicators[-1] if self.indicators else None
            if (not l2 and is_period_value(name) and above is not None and above.project == project
                    and above.level2 == level2):
                actual, name = name, above.indicator
            ind = Indicator(self.indicator_no, project, project_kind, level1, level2, name, actual_text=actual,
                            line_no=(self._buffer[0].line_no if self._buffer else frag.line_no), layout="flattened")
            ind.weight = parse_plain(m.group("w")).value
            ind.score = parse_plain(m.group("s")).value
            self.indicators.append(ind)
            self._obs(frag, project, project_kind, "weight", None, m.group("w"), "分", ind.indicator_no)
            self._obs(frag, project, project_kind, "score", None, m.group("s"), "分", ind.indicator_no)
            self.indicator_no += 1
            self._buffer = []
        return False

    def _tasks(self, rows, project, project_kind) -> None:
        if not rows:
            return
        widths = Counter(len(squash(cells[0].text)) for cells, _, _ in rows if cells and not squash(cells[0].text).startswith("金额合计"))
        first_width = widths.most_common(1)[0][0] if widths else 4
        for cells, numbers_frag, tokens in rows:
            joined = "".join(squash(c.text) for c in cells)
            if joined.startswith("金额合计") or not cells:
                name, kind = project, project_kind
            else:
                parts = [squash(cells[0].text)]
                for c in cells[1:]:
                    if len(squash(c.text)) > first_width:
                        break
                    parts.append(squash(c.text))
                name, kind = project_name("".join(parts)), "department_task"
            pct = next(i for i, t in enumerate(tokens) if t.endswith("%"))
            money = tokens[: pct - 1]
            half = len(money) // 2
            for measure, values in (("budget_full_year", money[:half]), ("executed", money[half:])):
                for item, token in zip(("total", "fiscal", "other"), values):
                    self._obs(numbers_frag, name, kind, measure, item, token, "万元")
            self._obs(numbers_frag, name, kind, "funding_weight", "total", tokens[pct - 1], "分")
            self._obs(numbers_frag, name, kind, "execution_rate", "total", tokens[pct], "%")
            self._obs(numbers_frag, name, kind, "funding_score", "total", tokens[pct + 1], "分")


def _strip_levels(text: str) -> tuple[str | None, str | None, str]:
    l1 = l2 = None
    t = text
    while True:
        m1 = _L1.match(t)
        rest1 = t[m1.end():] if m1 else None
        if m1 and l1 is None and (_LEVEL_POINTS.match(rest1) or _L2.match(rest1) or m1.group(1) not in ("成本指标", "满意度指标")):
            l1 = m1.group(1)
            t = rest1
            t = _LEVEL_POINTS.sub("", t, count=1)
            continue
        m2 = _L2.match(t)
        if m2 and l2 is None:
            l2 = m2.group(1)
            t = t[m2.end():]
            t = _LEVEL_POINTS.sub("", t, count=1)
            continue
        # "社会效益" + "指标" split across fragments is already joined; bare "社会效益指标" handled above
        m3 = re.match(r"^(社会效益|经济效益|生态效益|可持续影响|服务对象满意度)(?:指标)?", t)
        if m3 and l2 is None and vocab.level2_of(m3.group(0)):
            l2 = vocab.level2_of(m3.group(0))
            t = t[m3.end():]
            continue
        break
    return l1, l2, t
