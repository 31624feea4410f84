"""Attribute every number in the prose to a metric, or reject it with a reason.

State carried while reading a paragraph, sentence by sentence:

subjects    the metric(s) the text is talking about (a label sets them; labels
            joined by 、/和 form a group: 收入总计、支出总计均为 …)
measure     pending measure from a keyword (年初预算, 决算, 完成…的, 执行率 …)
cmp, sign   comparison base (上年 / 年初预算) and direction (增加 / 减少)
parent      the subject an enumeration (其中, 主要用于以下方面) breaks down:
            the denominator of 占 X% and the source of inherited measures
explaining  inside a 原因 clause: amounts there explain, they are not metrics
year        the fiscal year the sentence talks about (2022 年度本年支出合计 …)

A paragraph that only names a subject (an item heading such as
'1.一般公共服务支出（类）…（项）。') hands its subject to the next paragraph.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from ingest.model import Observation, Reject
from ingest.narrative import labels as L
from ingest.narrative.tokens import COUNT_UNITS, UNIT_CLASSES, Token, tokenize
from ingest.numbers import quantize, to_wan
from ingest.paragraphs import Paragraph, sentences

MONEY_KINDS = {"revenue", "expenditure", "expenditure_economic", "project", "three_public", "agency_operation",
               "procurement", "performance"}
_VS_PRIOR = re.compile(r"(?:与|较|比)(?:上年|上一年|去年|上年度)")
_MEASURE_KW = {"budget_initial": "budget_initial", "budget_full": "budget_full_year", "budget": "budget",
               "actual": "amount", "completion": "completion_pct", "exec_rate": "execution_rate", "score": "score"}
_BUDGETS = ("budget_initial", "budget_full_year", "budget")
_SECTION_SCOPED = ("revenue", "expenditure", "expenditure_economic")  # kinds whose scope a section may give


_PROJECT_MEASURES = {"amount": "executed", "budget": "budget_full_year", "completion_pct": "execution_rate",
                     "default": "budget_full_year"}
_THREE_PUBLIC_MEASURES = {"amount": "actual", "budget_initial": "budget", "budget_full_year": "budget"}


def kind_measure(kind: str, measure: str) -> str:
    """Generic measure words → the measure names each kind of fact uses.

    ``default`` is an amount stated with no measure word: the actual figure for
    accounts, the budget for a project ("①工会经费项目710万元").
    """
    if kind == "project":
        return _PROJECT_MEASURES.get(measure, measure)
    if measure == "default":
        measure = "amount"
    if kind == "three_public":
        return _THREE_PUBLIC_MEASURES.get(measure, measure)
    return measure


# (subject's id, item) → (the subject, itself with that item): an economic item's subject (shared, from the
# label cache) takes its section's item ≈ 20 times a report, and dataclasses.replace builds a 14-field frozen
# Subject each time.  The entry holds the subject, so its id is not reused while the entry lives.
_ITEMS: dict[tuple[int, str], tuple[L.Subject, L.Subject]] = {}


def _with_item(subject: L.Subject, item: str) -> L.Subject:
    """``subject`` with ``item`` (``replace(subject, item=item)``, made once per subject and item)."""
    found = _ITEMS.get((id(subject), item))
    if found is None:
        if len(_ITEMS) >= 4096:
            _ITEMS.clear()  # (bounded: label subjects evicted from their cache are not kept alive here for long)
        found = _ITEMS[id(subject), item] = (subject, replace(subject, item=item))
    return found[1]


class _Read(NamedTuple):
    """What the interpreter needs of a sentence's text alone (its tokens, disambiguated, and facts
    about them): a pure function of the text, so computed once per distinct sentence (see _read).
    (A named tuple, built positionally: a frozen dataclass set its six fields one object.__setattr__ at a
    time, ≈ 2 µs a new sentence.)"""

    tokens: tuple[Token, ...]
    money_values: frozenset[Decimal]  # values printed in 万元
    spans: tuple[tuple[int, int], ...]  # token spans but 、/，
    has_label: bool
    has_unit_number: bool
    opening: Token | None  # the first token but 、/，


def _read(sentence: str) -> _Read:
    return _cached_read(sentence) if len(sentence) <= _CACHED_LENGTH else _reading(sentence)


_CACHED_LENGTH = 400  # longer sentences are read each time: the cache's memory stays bounded


@lru_cache(maxsize=1 << 14)
def _cached_read(sentence: str) -> _Read:
    return _reading(sentence)


def _reading(sentence: str) -> _Read:
    tokens = tuple(_disambiguate(tokenize(sentence), sentence))
    money: list[Decimal] = []
    spans: list[tuple[int, int]] = []
    opening: Token | None = None
    has_label = has_unit_number = False
    for t in tokens:  # one pass for every fact
        kind = t.kind
        if kind == "num":
            if t.unit:
                has_unit_number = True
                if t.unit == "万元":
                    money.append(t.value)
        elif kind == "label":
            has_label = True
        if kind not in ("clause", "group"):
            spans.append((t.start, t.end))
            if opening is None:
                opening = t
    return _Read(tokens, frozenset(money), tuple(spans), has_label, has_unit_number, opening)


@dataclass
class DocContext:
    """What the interpreter knows of the document: its year, section titles and project
    titles by line, and its kind (部门决算 / 部门预算 …: in a budget, an amount stated for the
    report year with no measure word is the budget)."""

    fiscal_year: int | None
    section_titles: Callable[[int], list[str]]
    project_at: Callable[[int], str | None]
    report_kind: str | None = None


@dataclass(slots=True, init=False)  # (read and set for every token: attribute access without a __dict__)
class _State:
    year: int | None
    subjects: list[L.Subject] = field(default_factory=list)
    parent: list[L.Subject] = field(default_factory=list)
    detail_measure: str | None = None
    in_detail: bool = False
    measure: str | None = None
    measure_ctx: str | None = None
    cmp: str | None = None
    sign: int = 0
    share: bool = False
    share_ref: L.Subject | None = None
    share_start: int = -1  # sentence offset right after 占: where the named base begins
    share_fund: str | None = None  # a fund named in the base (占…政府性基金预算项目支出总额的)
    explaining: bool = False
    pending_zero: bool = False
    none_end: int = -1  # sentence offset right after 无 (or after the last item it negated)
    entity: str | None = None
    last_measure: str | None = None
    fresh: bool = False  # subjects were named in this sentence (or by a heading-like paragraph)
    anchor: int = -100  # sentence offset right after the last label or figure
    spans: list[tuple[int, int]] = field(default_factory=list)  # token spans of the sentence
    year_typo: bool = False  # the paragraph names the prior year but compares with 上年: it means this year
    children: int = 0  # subjects named since the last 其中
    parent_carried: bool = False  # the enumeration parent came from an earlier paragraph
    money_subjects: list[L.Subject] = field(default_factory=list)  # last subjects that take money
    staff_mode: str | None = None  # authorized | actual: what 行政/事业/共 N 人 refer to
    purpose: bool = False  # after 主要用于: items named there say what the money is for
    prev_cmp: str | None = None  # comparison of the previous sentence (its 其中 breaks the change down)
    unknown_part: bool = False  # the label in play names its parent plus a qualifier the vocabulary lacks

    def __init__(self, year: int | None, subjects: list[L.Subject], fresh: bool) -> None:
        """A paragraph's starting state: every field its declared default but these three.  (Written out:
        the generated keyword __init__ cost ≈ 2.4 µs a paragraph, this one ≈ 0.9; a test pins it to the
        declared defaults.)"""
        self.year = year
        self.subjects = subjects
        self.parent = []
        self.detail_measure = None
        self.in_detail = False
        self.measure = None
        self.measure_ctx = None
        self.cmp = None
        self.sign = 0
        self.share = False
        self.share_ref = None
        self.share_start = -1
        self.share_fund = None
        self.explaining = False
        self.pending_zero = False
        self.none_end = -1
        self.entity = None
        self.last_measure = None
        self.fresh = fresh
        self.anchor = -100
        self.spans = []
        self.year_typo = False
        self.children = 0
        self.parent_carried = False
        self.money_subjects = []
        self.staff_mode = None
        self.purpose = False
        self.prev_cmp = None
        self.unknown_part = False


class Interpreter:
    def __init__(self, ctx: DocContext):
        self.ctx = ctx
        self.observations: list[Observation] = []
        self.rejects: list[Reject] = []
        self._carry: list[L.Subject] = []
        self._carry_parent: tuple[list[L.Subject], str | None] | None = None
        self._list_parent: tuple[list[L.Subject], str | None] | None = None  # parent of a numbered list
        self._context_class: str | None = None
        self._class_section: str | None = None
        # what the sections say about a line, asked for every figure: computed once per line
        self._titles: dict[int, list[str]] = {}
        self._scopes: dict[int, str | None] = {}
        self._in_project: dict[int, bool] = {}
        self._sections: dict[int, str | None] = {}
        # what _emit needs of a line (its section's scope, whether it is in a project's section, the section's
        # name): one lookup per figure instead of three method calls
        self._emit_facts: dict[int, tuple[str | None, bool, str | None]] = {}
        self._economic_items: dict[int, str] = {}  # a line's economic items: of project or basic expenditure

    def _section_titles(self, line_no: int) -> list[str]:
        titles = self._titles.get(line_no)
        if titles is None:
            titles = self._titles[line_no] = self.ctx.section_titles(line_no)
        return titles

    # ------------------------------------------------------------ helpers
    def _scope(self, subject: L.Subject, line_no: int) -> str | None:
        if subject.kind not in _SECTION_SCOPED:
            return subject.scope
        if subject.scope:
            return subject.scope
        return self._section_scope(line_no) or "all"

    def _section_scope(self, line_no: int) -> str | None:
        """The funding scope a section title names (…一般公共预算财政拨款支出决算情况说明), if any."""
        if line_no not in self._scopes:
            self._scopes[line_no] = self._title_scope(line_no)
        return self._scopes[line_no]

    def _title_scope(self, line_no: int) -> str | None:
        for title in reversed(self._section_titles(line_no)):
            if "一般公共预算" in title:
                return "general_budget"
            if "政府性基金" in title:
                return "gov_fund"
            if "国有资本经营" in title:
                return "state_capital"
            if "财政拨款收入支出" in title or "财政拨款收支" in title or "财政拨款支出" in title:
                return "fiscal"
        return None

    def _section(self, line_no: int) -> str | None:
        if line_no not in self._sections:
            titles = self._section_titles(line_no)
            self._sections[line_no] = " > ".join(titles[-2:]) if titles else None
        return self._sections[line_no]

    def _resolve(self, subjects: list[L.Subject], line_no: int) -> list[L.Subject]:
        out = []
        for s in subjects:
            kind = s.kind  # (no replacement below changes a subject's kind: one test per kind)
            if kind == "expenditure":
                if s.subject_name and "（" in s.subject_name:
                    if "（类）" in s.subject_name:
                        self._context_class = s.subject_name.split("（类）")[0]
                        self._class_section = self._top_section(line_no)
                    elif not s.function_code and self._context_class \
                            and self._class_section == self._top_section(line_no):
                        s = replace(s, subject_name=f"{self._context_class}（类）{s.subject_name}")
            elif kind == "project":
                if s.project == "":
                    s = replace(s, project=self.ctx.project_at(line_no))
                    if not s.project:
                        continue
            elif kind == "expenditure_economic":
                item = self._economic_items.get(line_no)
                if item is None:
                    titles = "".join(self._section_titles(line_no))
                    item = self._economic_items[line_no] = "project" if "项目支出" in titles else "basic"
                s = _with_item(s, item)
            out.append(s)
        return out

    _PROJECT_SECTION = re.compile(r"类项目|项目(?:绩效)?(?:分析|概况|自评|评价)|专项(?:资金)?(?:预算)?项目")

    def _in_project_section(self, line_no: int) -> bool:
        """Figures in a project's own analysis describe the project, not the unit's accounts."""
        found = self._in_project.get(line_no)
        if found is None:
            found = self._in_project[line_no] = any(self._PROJECT_SECTION.search(t)
                                                    for t in self._section_titles(line_no))
        return found

    def _top_section(self, line_no: int) -> str | None:
        titles = self._section_titles(line_no)
        return titles[1] if len(titles) > 1 else (titles[0] if titles else None)

    def _emit(self, st: _State, subject: L.Subject, measure: str, value: Decimal, tok: Token, para: Paragraph,
              sentence: str, offset: int, unit: str, decimals: int, flags: list[str], ref: L.Subject | None = None,
              item: str | None = None) -> None:
        line_no = para.line_at(offset + tok.start)
        facts = self._emit_facts.get(line_no)
        if facts is None:
            facts = self._emit_facts[line_no] = (self._section_scope(line_no), self._in_project_section(line_no),
                                                 self._section(line_no))
        section_scope, in_project, section = facts
        kind = subject.kind
        measure = kind_measure(kind, measure)
        # (self._scope inlined: a section's scope for the kinds that take it, when the label names none)
        scope = (subject.scope or section_scope or "all") if kind in _SECTION_SCOPED else subject.scope
        ref_key = None
        if ref is not None:
            ref_key = ref.ref_key(self._scope(ref, line_no))
        subject_name = subject.subject_name
        if kind == "staff" and st.entity:
            subject_name = st.entity
        if in_project and kind not in ("project", "performance"):
            flags = flags + ["project_section"]
        if st.year_typo and st.year == self.ctx.fiscal_year:
            flags = flags + ["year_typo"]
        # positional, in the order of Observation's fields (see ingest.model: 3x cheaper than by keyword)
        self.observations.append(Observation(
            subject.kind, measure, value, unit, tok.text.strip(), "narrative", line_no,  # kind … line_no
            item or subject.item, scope, st.year, subject.function_code, subject_name,  # item … subject_name
            subject.economic_code, subject.project, subject.project_kind, None, None,  # … project_key, indicator_no
            ref_key, decimals, tok.unit or None, None, None, None,  # ref_key … table_no, col_no
            section, _snippet(sentence, tok), ",".join(flags) or None,  # section, snippet, flags
        ))

    def _reject(self, tok: Token, para: Paragraph, sentence: str, offset: int, reason: str) -> None:
        self.rejects.append(Reject(para.line_at(offset + tok.start), tok.text.strip(), reason, _snippet(sentence, tok)))

    # ------------------------------------------------------------ walking
    def paragraph(self, para: Paragraph) -> None:
        st = _State(self.ctx.fiscal_year, list(self._carry), bool(self._carry))
        self._carry = []
        if self._carry_parent is not None:
            self._list_parent = self._carry_parent if _LIST_ITEM.match(para.text) else None
        elif self._list_parent is not None and _LIST_ITEM.match(para.text):
            # "财政拨款支出主要内容如下：" / "1、…" / "2、…": every numbered item is a child
            self._carry_parent = self._list_parent
        else:
            self._list_parent = None
        if self._carry_parent is not None:
            # "本年收入决算合计 199.32 万元，其中：" followed by one item per paragraph
            st.parent, st.detail_measure = list(self._carry_parent[0]), self._carry_parent[1]
            st.in_detail = st.parent_carried = True
        self._carry_parent = None
        saw_label = saw_number = False
        paragraph_year = self.ctx.fiscal_year
        # "2022 年度…支出决算 0 万元…较上年持平" in the 2023 report: a text that compares with
        # 上年 cannot be about 上年 itself — the year is a typo for the report's year
        compares_with_prior = None  # (asked only of a paragraph whose sentence opens with the prior year)
        for offset, sentence in sentences(para):
            read = _read(sentence)
            saw_label |= read.has_label
            saw_number |= read.has_unit_number
            # a year (or 截至上年底) opening a sentence holds for the rest of the paragraph
            opening = read.opening
            if opening is not None and opening.kind == "year":
                paragraph_year = opening.year
                if self.ctx.fiscal_year and opening.year == self.ctx.fiscal_year - 1:
                    if compares_with_prior is None:
                        compares_with_prior = _VS_PRIOR.search(para.text) is not None
                    if compares_with_prior:
                        paragraph_year, st.year_typo = self.ctx.fiscal_year, True
            elif opening is not None and opening.kind == "prior_year_end" and self.ctx.fiscal_year:
                paragraph_year = self.ctx.fiscal_year - 1
            st.year = paragraph_year
            self._sentence(st, para, offset, sentence, read)
            # an enumeration ends with its sentence: talk returns to what it broke down
            if st.in_detail and sentence.rstrip()[-1:] in ("。", "!", "！", "?", "？"):
                if st.children != 1 and st.parent and not st.parent_carried:
                    st.subjects = list(st.parent)
                st.parent, st.in_detail, st.children, st.parent_carried = [], False, 0, False
            st.prev_cmp = st.cmp
            st.measure = st.measure_ctx = st.cmp = None
            st.sign = 0
            st.share = st.explaining = st.pending_zero = st.fresh = st.purpose = st.unknown_part = False
            st.entity = st.staff_mode = None
            st.anchor = -100
        if saw_label and not saw_number and len(para.text) <= _HEADING_LIKE:
            self._carry = st.subjects
        if st.parent and para.text.rstrip()[-1:] in ("：", ":", "；", ";"):
            self._carry_parent = (st.parent, st.detail_measure)

    def _sentence(self, st: _State, para: Paragraph, offset: int, sentence: str, read: _Read) -> None:
        tokens, money_values, st.spans = read.tokens, read.money_values, read.spans
        opening = read.opening
        prev: Token | None = None
        prev_label: Token | None = None
        for tok in tokens:
            k = tok.kind
            if k == "label" and st.purpose:
                # "…1672.67万元。主要用于：行政单位的基本支出。" — 基本支出 is the purpose, not the subject
                prev = tok
                continue
            if k == "label":
                line_no = para.line_at(offset + tok.start)
                subjects = _in_context(self._resolve(tok.subjects, line_no), st.parent, st.subjects)
                st.unknown_part = False
                if st.in_detail and st.parent and self._section_scope(line_no) is None:
                    subjects = _inherit_scope(subjects, st.parent)
                if not subjects:
                    prev = tok
                    continue
                if st.pending_zero and not _states_none(sentence, st.none_end, tok.start):
                    # "无锡市宜兴市…局2024年度收入、支出决算总计均为 321.58 万元": the 无 was part of a
                    # name, not a statement that the item is nil
                    st.pending_zero = False
                if st.share and st.share_ref is None:
                    st.share_ref = _named_base(subjects[0], sentence, st, tok.start)  # 占本年支出合计的 X%
                elif st.pending_zero:
                    st.none_end = tok.end
                    for s in subjects:
                        if s.value_type == "money" and s.kind != "project":
                            measure = "actual" if s.kind == "three_public" else "amount"
                            self._emit(st, s, measure, Decimal(0), replace(tok, text="无" + tok.text), para, sentence,
                                       offset, "万元", 4, ["stated_none"])
                    st.subjects = subjects
                else:
                    grouped = prev is not None and prev.kind == "group" and prev_label is not None and prev_label.end == prev.start
                    if grouped:
                        st.subjects = st.subjects + subjects
                    elif st.cmp and all(s.scope is None or s.scope == "all" for s in subjects) and _same_metrics(subjects, st.subjects):
                        pass  # 与上年相比收入总计、支出总计…: the subjects already in play
                    else:
                        st.subjects = [self._relative(s, st) for s in subjects]
                        st.unknown_part = st.in_detail and _same_metrics(subjects, st.parent) \
                            and _qualified(sentence, tok.end, st.spans)
                    if grouped:
                        st.subjects = st.subjects[: len(st.subjects) - len(subjects)] + [self._relative(s, st) for s in subjects]
                    if st.in_detail:
                        st.children += 1
                    money = [s for s in st.subjects if s.value_type == "money"]
                    if money:  # (the last subjects that take money stay until others do)
                        st.money_subjects = money
                    st.measure = None
                    st.sign = 0
                    if any(s.implied_measure for s in subjects):
                        st.measure_ctx = subjects[0].implied_measure
                    if st.explaining and any(s.strong for s in subjects):
                        st.explaining = False
                    st.fresh = True
                st.anchor = tok.end
                prev_label = tok
            elif k == "num":
                self._number(st, tok, para, offset, sentence, money_values)
            elif k == "group":
                pass
            elif k == "clause":
                st.pending_zero = False
            elif k in ("up", "down"):
                st.sign = 1 if k == "up" else -1
            elif k in ("cmp_prior", "cmp_budget"):
                st.cmp = "prior" if k == "cmp_prior" else "budget"
                st.explaining = False
            elif k in ("flat_prior", "flat_budget") and not st.explaining:
                measure = "yoy_change" if k == "flat_prior" else "vs_budget_change"
                for s in st.subjects:
                    if s.value_type == "money":
                        self._emit(st, s, measure, Decimal(0), tok, para, sentence, offset, "万元", 4, ["stated_flat"])
            elif k in _MEASURE_KW:
                st.measure = _MEASURE_KW[k]
                if k == "score":
                    st.measure = "score"
            elif k == "share":
                st.share, st.share_ref, st.share_start, st.share_fund = True, None, tok.end, None
            elif k == "fund" and st.share and st.share_ref is None:
                st.share_fund = _FUNDS.get(tok.text)
            elif k == "detail":
                if st.cmp is None and st.prev_cmp and tok is opening:
                    # "…与 2022 年度相比，减少 23,616.80 万元。其中：财政拨款收入增加 14,458.07 万元": the
                    # enumeration breaks the change down, against the same base
                    st.cmp = st.prev_cmp
                if st.subjects:
                    st.parent = list(st.subjects)
                    st.parent_carried = False
                    st.children = 0
                    st.detail_measure = st.last_measure if st.last_measure in _BUDGETS else None
                st.in_detail = True
                st.subjects = []
                st.explaining = False
            elif k == "explain":
                st.explaining = True
            elif k == "purpose":
                st.purpose = True
            elif k == "none":
                st.pending_zero, st.none_end = True, tok.end
            elif k == "year":
                typo = st.year_typo and self.ctx.fiscal_year and tok.year == self.ctx.fiscal_year - 1
                st.year = self.ctx.fiscal_year if typo else tok.year
            elif k == "prior_year_end":
                st.year = (self.ctx.fiscal_year or 0) - 1 or None
            elif k == "entity":
                st.entity = tok.text
            elif k == "malformed":
                self._reject(tok, para, sentence, offset, "malformed_number")
            elif k == "amount_label":
                st.measure = "amount"
            prev = tok

    def _relative(self, s: L.Subject, st: _State) -> L.Subject:
        """Items whose meaning depends on what is being enumerated.

        其中行政48人、事业212人 — 编制 or 实有, from the parent or the sentence's mode;
        现有在职…事业编制人员2名 — staff in post, not posts; 轿车0辆 under 购置公务用车 —
        a purchase; 接待0批次 — the reception item in play.
        """
        item = s.item or ""
        if s.kind == "staff":
            if item in ("actual_total", "authorized_total"):
                st.staff_mode = item.split("_")[0]
            parent = next((p for p in (st.parent or st.subjects) if p.kind == "staff"), None)
            mode = st.staff_mode or ("actual" if parent is not None and (parent.item or "").startswith("actual") else "authorized")
            if item.startswith("relative_"):
                return replace(s, item=f"{mode}_{item.removeprefix('relative_')}")
            if item.startswith("authorized_") and item != "authorized_total" and mode == "actual":
                return replace(s, item="actual_" + item.removeprefix("authorized_"))
            return s
        if s.kind == "assets" and item.startswith("vehicles_"):
            if any(p.item == "vehicle_purchase_count" for p in st.parent):
                return replace(s, kind="three_public", item="vehicle_purchase_" + item.removeprefix("vehicles_"))
            return s
        if item == "reception_in_context":
            current = next((m.item for m in st.money_subjects if (m.item or "").startswith("reception")), None)
            return replace(s, item=current if current in ("reception_domestic", "reception_foreign") else "reception_domestic")
        return s

    def _number(self, st: _State, tok: Token, para: Paragraph, offset: int, sentence: str, money_values: set) -> None:
        unit = tok.unit
        uc = UNIT_CLASSES.get(unit, "bare")  # (tokens.unit_class as one lookup)
        subjects = st.subjects
        if tok.text == "零" and not subjects:
            return None
        flags: list[str] = []
        if st.unknown_part and uc in ("money", "pct"):
            # "政府采购预算 1486.42 万元，其中：政府采购进口产品预算 10 万元": a part of the total with a
            # qualifier the vocabulary does not know — not the total restated
            return self._reject(tok, para, sentence, offset, "unknown_part")
        if uc == "money":
            if st.explaining:
                return self._reject(tok, para, sentence, offset, "explanation")
            if not subjects:
                return self._reject(tok, para, sentence, offset, "no_subject")
            money_subjects = [s for s in subjects if s.kind in MONEY_KINDS and s.value_type == "money"]
            if not money_subjects and all(s.value_type == "count" for s in subjects):
                # "公务用车保有量为0辆。与上年决算相比，增加0万元": money follows the item, not the count
                money_subjects = st.money_subjects
            if not money_subjects:
                return self._reject(tok, para, sentence, offset, "money_for_count_subject")
            if st.sign and not st.cmp:
                return self._reject(tok, para, sentence, offset, "change_without_base")
            if _unknown_between(sentence, st.spans, st.anchor, tok.start):
                # "人员经费 104.6 万元，日常用经费 6.1 万元": an unrecognised item follows a break
                return self._reject(tok, para, sentence, offset, "unknown_subject")
            near = _near(sentence, st.anchor, tok.start)
            money_subjects = [s for s in money_subjects if near or not s.adjacent]
            if not money_subjects:
                return self._reject(tok, para, sentence, offset, "no_subject")
            if printed_rate(sentence, tok):
                return self._reject(tok, para, sentence, offset, "rate")
            explicit = st.sign or st.measure or st.measure_ctx or (st.in_detail and st.detail_measure)
            if not st.fresh and not explicit:
                # a subject from an earlier sentence takes a figure only when a
                # measure word introduces it ("全年预算数为57万元"), not "每人190元"
                return self._reject(tok, para, sentence, offset, "stale_subject")
            printed = unit
            if "余" in unit:
                flags.append("approximate")
                printed = "万元" if unit.startswith("万") or unit.startswith("余万") else "元"
            if printed == "元" and _yuan_slip(tok, money_values):
                # "财政拨款收入 360.44 元，占 100%": a 万元 figure with its 万 dropped
                flags.append("unit_typo_yuan")
                value, decimals = tok.value, tok.decimals
            else:
                value, decimals = to_wan(tok.value, tok.decimals, printed)
                # stored with the warehouse's four decimals: the tolerance cannot be finer
                value, decimals = quantize(value), min(decimals, 4)
            measure = self._money_measure(st)
            for s in money_subjects:
                self._emit(st, s, measure, value * st.sign if st.sign and "change" in measure else value, tok, para,
                           sentence, offset, "万元", decimals, flags)
            st.last_measure = measure
            st.measure = None
            st.sign = 0
            st.anchor = tok.end
        elif uc == "pct":
            if st.explaining:
                return self._reject(tok, para, sentence, offset, "explanation")
            targets = subjects or st.parent
            ref = None
            if st.sign:
                measure = {"prior": "yoy_change_pct", "budget": "vs_budget_change_pct"}.get(st.cmp or "", "")
                if not measure:
                    return self._reject(tok, para, sentence, offset, "change_without_base")
                value = tok.value * st.sign
            elif st.share:
                measure, value = "share_pct", tok.value
                ref = st.share_ref or (st.parent[0] if st.parent else None)
                st.share = False
            elif st.measure in ("completion_pct", "execution_rate"):
                measure, value = st.measure, tok.value
            else:
                return self._reject(tok, para, sentence, offset, "percent_without_measure")
            if targets and all(s.value_type == "count" for s in targets):
                targets = st.money_subjects
            if not targets:
                return self._reject(tok, para, sentence, offset, "no_subject")
            for s in targets:
                if s.value_type != "money" and s.kind != "project":
                    continue
                self._emit(st, s, measure, value, tok, para, sentence, offset, "%", tok.decimals, flags, ref=ref)
            st.measure = None
            st.sign = 0
        elif uc == "count":
            if not _near(sentence, st.anchor, tok.start):
                return None  # a count far from any count label: descriptive text, not a figure
            for s in subjects:
                if s.value_type != "count":
                    continue
                item = s.item
                if s.kind == "three_public" and not item.endswith(("_groups", "_people", "_count")) \
                        and not item.startswith("vehicle_purchase_"):
                    item = f"{item}_{COUNT_UNITS.get(unit, 'count')}"
                value = tok.value * (10000 if unit.startswith("万") else 1)
                self._emit(st, s, "count", value, tok, para, sentence, offset, unit, tok.decimals, flags, item=item)
                st.anchor = tok.end
        elif uc == "score" or (uc == "bare" and st.measure == "score"):
            if st.measure == "score":
                if not any(s.kind == "project" for s in subjects):
                    # "自评得分100分" in a project's or the department's own report
                    name = self.ctx.project_at(para.line_at(offset + tok.start))
                    subjects = [L.Subject("project", project=name, project_kind=_kind_of(name))] if name else []
                for s in subjects:
                    if s.kind == "project":
                        self._emit(st, s, "score", tok.value, tok, para, sentence, offset, "分", tok.decimals, flags)
                st.measure = None
        elif uc == "bare" and subjects and not st.sign and tok.decimals > 0 and st.measure in ("amount", "budget", "budget_initial", "budget_full_year"):
            # "一般公共预算支出决算数为270.52，完成预算100%": the unit was left out
            measure = self._money_measure(st)
            for s in subjects:
                if s.kind in MONEY_KINDS:
                    self._emit(st, s, measure, tok.value, tok, para, sentence, offset, "万元", tok.decimals, ["unit_missing"])
            st.measure = None

    def _money_measure(self, st: _State) -> str:
        if st.sign:
            return {"prior": "yoy_change", "budget": "vs_budget_change"}[st.cmp]
        measure = st.measure or st.measure_ctx or (st.detail_measure if st.in_detail else None) or "default"
        if measure in ("default", "budget") and (self.ctx.report_kind or "").endswith("预算") \
                and st.year == self.ctx.fiscal_year:
            return "budget_initial"  # a 预算 report states the year's budget
        return measure


_FUNDS = {"一般公共预算": "general_budget", "政府性基金预算": "gov_fund", "国有资本经营预算": "state_capital"}
# Words that may stand between 占 and the base's label without changing what the base is.
_BASE_FILLER = re.compile(r"的|本年度|本年|当年|全年|年度|本部门|本单位|部门|单位|全部|整个|所有|总|其|为")
# The base of a share the vocabulary cannot name: no figure of the document is that quantity.
UNKNOWN_BASE = L.Subject("unknown_base")


def _named_base(label: L.Subject, sentence: str, st: _State, label_start: int) -> L.Subject:
    """The quantity a share is stated against: 占<base>的 X%.

    The base is the label after 占, in the fund the base names ("占政府性基金预算项目支出总额的" is the
    gov_fund 项目支出, "占一般公共预算项目支出总额的" the general_budget one).  Words the vocabulary does
    not know that qualify it ("占应纳入绩效自评的…项目支出总额的 0%") make it another quantity, one the
    document does not state: ``UNKNOWN_BASE`` (ref_key ``unknown_base||||``), which no check evaluates —
    a share against an unknown base is not compared with the label's total.
    """
    if _unknown_between(sentence, st.spans, st.share_start, label_start, "", _BASE_FILLER):
        return UNKNOWN_BASE
    if st.share_fund and label.kind in ("revenue", "expenditure") and label.scope in (None, "all"):
        return replace(label, scope=st.share_fund)  # (a scope inherited from an enumeration's parent yields)
    return label


def _yuan_slip(tok: Token, money_values: set[Decimal]) -> bool:
    """A figure printed in 元 whose sentence shows it is in 万元.

    The sentence proves it when it states the same value in 万元 ("全年预算数 235.76 元，执行数
    235.76 万元"), or when the figure has cents, is under 10,000 元 and sits beside a 万元
    figure of its own magnitude ("本年收入合计 360.4 万元，其中：财政拨款收入 360.44 元") — read
    in 元 it would be a ten-thousandth of its neighbours.  A figure really printed in 元
    ("96,282,213.44 元", "共计 626,700 元") is converted, not corrected.
    """
    if not tok.value:
        return False  # 0 元 is 0 万元: nothing to correct
    if tok.value in money_values:
        return True
    if tok.decimals == 0 or tok.value >= 10000:
        return False
    return any(v and v / 100 <= tok.value <= v * 100 for v in money_values)


# Between 无 and the item it declares nil: nothing, or a verb of occurrence ("无发生…");
# between two items of one such statement: a conjunction ("无财政拨款“三公”经费及会议费、培训费支出").
_NONE_GAP = re.compile(r"\s*[、和及与]?\s*(?:发生|任何|安排)?\s*")


def _states_none(sentence: str, none_end: int, label_start: int) -> bool:
    """The item named at ``label_start`` is what the 无 ending at ``none_end`` declares nil.

    无 states that an item is nil only when the item's name follows it at once: "无因公出国（境）费用
    支出", "本单位无政府性基金预算财政拨款收入".  A 无 that begins a proper noun (无锡市, 无为市,
    无棣县) is followed by the rest of the name, never by an item.
    """
    return 0 <= none_end <= label_start and _NONE_GAP.fullmatch(sentence, none_end, label_start) is not None


_FILLER = re.compile(r"共计|合计|总计|分别为|分别|均为|均|各|达到|达|约|是|为|共|计|支出|该项|其")
_SEPARATORS = "，,；;"


@lru_cache(maxsize=8)
def _any_of(chars: str) -> re.Pattern[str]:
    """A pattern finding any one of ``chars``."""
    return re.compile(f"[{re.escape(chars)}]")


def _unknown_between(sentence: str, spans: list[tuple[int, int]], start: int, end: int,
                     separators: str = _SEPARATORS, filler: re.Pattern = _FILLER) -> bool:
    """The clause right before this number names something the vocabulary does not know.

    "人员经费 104.6 万元，日常用经费 6.1 万元": 日常用经费 is the subject of 6.1, so 6.1 is
    not another 人员经费 figure.  Only the last clause before the number counts:
    "…，全部用于发放救助金，执行数为10元" keeps its subject.  With no ``separators`` the whole
    stretch counts (the base of a share, between 占 and its label), with its own ``filler``.
    """
    start = max(start, 0)
    if separators and _any_of(separators).search(sentence, start, end) is None:
        return False  # no clause break before the number (the residual is made of this stretch's characters)
    # spans are token spans in sentence order: visit only those that reach into [start, end)
    # (a scan of every span per number was quadratic in the length of a sentence); the residual is
    # the text between them, taken slice by slice
    pieces: list[str] = []
    pos = start
    for i in range(bisect_right(spans, start, key=lambda s: s[1]), len(spans)):
        a, b = spans[i]
        if a >= end:
            break
        if a > pos:
            pieces.append(sentence[pos:a])
        pos = max(pos, min(b, end))
    if pos < end:
        pieces.append(sentence[pos:end])
    residual = "".join(pieces)
    cut = max((residual.rfind(sep) for sep in separators), default=-1)
    if cut < 0 and separators:
        return False
    tail = filler.sub("", residual[cut + 1:])
    return sum(1 for ch in tail if "\u4e00" <= ch <= "\u9fa5") >= 2


_PER = re.compile(r"(?:每|人均|户均|标准)[^，。；\d]{0,10}$")


def printed_rate(sentence: str, tok: Token) -> bool:
    """'每名困难职工2000元', '人均标准1000元': a per-head standard, not an amount."""
    return tok.unit == "元" and _PER.search(sentence[max(0, tok.start - 12):tok.start]) is not None


_GAP = re.compile(r"[\s，,、]*(?:为|共|共计|合计|共有|达到?|计|均为|是|约)?\s*")


def _near(sentence: str, anchor: int, start: int) -> bool:
    """Only filler words stand between a label (or the previous count) and this number."""
    return 0 <= anchor <= start and start - anchor <= 8 and _GAP.fullmatch(sentence[anchor:start]) is not None


def _kind_of(project: str | None) -> str:
    from ingest.performance import DEPARTMENT_PROJECT

    return "department" if project == DEPARTMENT_PROJECT else "project"


# A paragraph that names a subject and states no figure hands it on when it reads as an item
# heading ('1.一般公共服务支出（类）…（项）。'), not when it is a long passage about purposes.
_HEADING_LIKE = 80
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}\s*[、.．](?!\d)|[（(]\d{1,2}[）)]|[①②③④⑤⑥⑦⑧⑨⑩])")
_FUNCTION_CONTEXT = re.compile(r"功能(?:分类|科目)")
_ECONOMIC_CONTEXT = re.compile(r"经济(?:分类|科目)")


def _disambiguate(tokens: list[Token], sentence: str) -> list[Token]:
    """An item name that is both an economic item and a 功能分类 类 (其他支出) takes one meaning.

    "按照支出功能科目划分，教育支出…；其他支出 109.50 万元" lists 类: there it is 类 229.
    The sentence decides — it names 功能分类, or its other items are 类 — otherwise the
    economic reading stays.  Never both.
    """
    ambiguous = [t for t in tokens if t.kind == "label" and any(s.function_class for s in t.subjects)]
    if not ambiguous:
        return tokens
    if _ECONOMIC_CONTEXT.search(sentence):
        return tokens
    classes = any(t.kind == "label" and any(s.kind == "expenditure" and (s.function_code or (s.subject_name or "").endswith("（类）"))
                                             for s in t.subjects) for t in tokens)
    if not (classes or _FUNCTION_CONTEXT.search(sentence)):
        return tokens
    return [replace(t, subjects=[L.as_function_class(s) if s.function_class else s for s in t.subjects])
            if t in ambiguous else t for t in tokens]


def _inherit_scope(subjects: list[L.Subject], parent: list[L.Subject]) -> list[L.Subject]:
    """Items enumerated under a parent share its funding scope.

    "财政拨款支出总计为 237,100.00 万元，其中基本支出 199,015.13 万元" — the 基本支出 is a
    财政拨款 figure: a child that names no scope of its own takes the parent's.
    """
    scopes = {p.scope for p in parent if p.kind in ("revenue", "expenditure") and p.scope}
    if len(scopes) != 1:
        return subjects
    scope = scopes.pop()
    return [L.with_scope(s, scope) if s.kind in ("expenditure", "expenditure_economic") and s.value_type == "money"
            and any(p.kind == "expenditure" for p in parent) else s for s in subjects]


def _in_context(subjects: list[L.Subject], parent: list[L.Subject], current: list[L.Subject]) -> list[L.Subject]:
    """Items named by a category alone (labels.IN_CONTEXT: 拟采购货物支出, 工程类) are parts of the kind
    being broken down — procurement goods under 政府采购 — and name nothing where no such parent (among the
    enumeration's ``parent`` and the ``current`` subjects) is in play."""
    out = []
    for s in subjects:
        item = s.item
        if item and item.startswith(L.IN_CONTEXT):
            kind = s.kind
            if not any(c.kind == kind for c in parent) and not any(c.kind == kind for c in current):
                continue
            s = replace(s, item=item.removeprefix(L.IN_CONTEXT))
        out.append(s)
    return out


_QUALIFIER_FILLER = re.compile(r"的|为|共计|合计|总额|金额|分别|均|约|达|是|共|计|支出|资金|经费")


def _qualified(sentence: str, end: int, spans: list[tuple[int, int]]) -> bool:
    """The label ending at ``end`` is followed, before the next recognised token, by words of its own
    ("政府采购｜进口产品｜预算"): it names a part the vocabulary does not know, not the label's metric."""
    following = next((a for a, _ in spans if a >= end), len(sentence))
    gap = _QUALIFIER_FILLER.sub("", sentence[end:following])
    return sum(1 for ch in gap if "\u4e00" <= ch <= "\u9fa5") >= 2


def _same_metrics(a: list[L.Subject], b: list[L.Subject]) -> bool:
    def key(s: L.Subject) -> tuple:
        return s.kind, s.item, s.subject_name, s.function_code, s.project

    return bool(a) and bool(b) and {key(s) for s in a} <= {key(s) for s in b}


def _snippet(sentence: str, tok: Token, width: int = 90) -> str:
    start = max(0, tok.start - width)
    end = min(len(sentence), tok.end + width // 2)
    return sentence[start:end].strip()
