"""Chinese-first output: the language of the CLI and the Chinese labels of the warehouse's codes.

Language: ``--lang zh|en``, else ``$JUESUAN_LANG``, else Chinese.  Messages are written as
``tr("中文", "English")`` where they are printed, so both versions stay side by side.

Labels: a code (``basic``, ``general_budget``, ``consolidated``) becomes the label the report template
prints (基本支出, 一般公共预算财政拨款, 汇总).  The labels of the four contract enumerations come from
``reference.enum_labels`` (seed ``seeds/enum_labels.csv``), read from the warehouse when it has them and
from the seed file otherwise; the few CLI-only words (fact kinds, measures, unit scopes) are below.
"""
from __future__ import annotations

import csv
import os
import re
from pathlib import Path

LANGS = ("zh", "en")
_lang: str | None = None

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# enumeration whose codes name the item of a fact of this kind (contract: Enumerations; the kinds beyond the
# contract have label-only enumerations of their own in seeds/enum_labels.csv)
ITEM_ENUM = {"revenue": "revenue_source", "expenditure": "expenditure_type", "three_public": "three_public_item",
             "staff": "staff_item", "assets": "assets_item", "procurement": "procurement_item",
             "project": "project_funding_item", "performance": "performance_item"}

# What the number of a measure is, for the finding's sentence: money in 万元, a percentage, points of a
# self-evaluation, or a count (no unit).  A check without a measure in its subject (an indicator) is
# in points; every other measure is money.
MEASURE_UNIT = {
    "share_pct": "pct", "yoy_change_pct": "pct", "vs_budget_change_pct": "pct", "completion_pct": "pct",
    "execution_rate": "pct", "score": "points", "max_score": "points", "weight": "points", "weights": "points",
    "funding_weight": "points", "funding_score": "points", "count": "count", "value": "count",
    "target_value": "count", "actual_value": "count",
}
# checks whose two sides are not in the unit of their subject's measure: a rate of 100% compares the amounts
# it is a rate of (models/intermediate/checks/int_check_full_rates.sql)
CHECK_UNIT = {"full_rate_amounts_equal": "wan"}
UNITS = {  # unit → (after a figure in Chinese, in English; after a difference in Chinese, in English)
    "wan": (" 万元", " 万元", " 万元", " 万元"),
    "pct": ("%", "%", " 个百分点", " percentage points"),
    "points": (" 分", " points", " 分", " points"),
    "count": ("", "", "", ""),
}

# Words the check models write into a finding's places beside the source_refs (models/intermediate/checks):
# phrase → Chinese, replaced before the code words (``budget-execution`` is not 预算数 + execution).
REF_PHRASES = [
    (re.compile(r"\+ budget-execution score"), "+ 预算执行率得分"),
    (re.compile(r"\bstandard (\d+) points\b"), r"标准满分 \1 分"),
    (re.compile(r"\breport year (\d{4})\b"), r"报告年度 \1"),
    (re.compile(r"\bno carry-over, 结余分配 or 上缴上级 stated\b"), "未说明结转结余、结余分配或上缴上级"),
    (re.compile(r"\bindicators (?=[Lp]\d)"), "各指标 "),
    (re.compile(r"\btasks (?=[Lp]\d)"), "各部门任务 "),
    (re.compile(r" − change\)"), " − 增减额)"),
]

# words of the CLI that are no contract enumeration: fact kinds, measures, unit scopes, reading kinds
WORDS = {
    "revenue": "收入", "expenditure": "支出", "expenditure_economic": "支出经济分类", "three_public": "“三公”经费",
    "agency_operation": "机关运行经费", "procurement": "政府采购", "assets": "资产", "staff": "人员",
    "project": "项目", "indicator": "绩效指标", "performance": "绩效", "other": "其他",
    "amount": "决算数", "budget": "预算数", "budget_initial": "年初预算数", "budget_full_year": "全年预算数",
    "executed": "执行数", "execution_rate": "执行率", "share_pct": "占比", "yoy_change": "比上年增减",
    "yoy_change_pct": "比上年增减率", "vs_budget_change": "比预算增减", "vs_budget_change_pct": "比预算增减率",
    "completion_pct": "预算完成率", "weight": "权重", "score": "得分", "max_score": "分值",
    "funding_weight": "资金权重", "funding_score": "资金得分", "target_value": "指标值", "actual_value": "实际完成值",
    "actual": "实际数", "count": "数量", "value": "数值", "weights": "指标分值合计",
    "consolidated": "汇总", "own": "本级", "balance": "差额", "total": "合计",
    "narrative": "文字说明", "table": "表格", "fiscal": "财政拨款",
    # dim_document.format
    "text": "文本", "pdf": "PDF", "docx": "Word 文档", "xlsx": "Excel 表格",
    # dim_document.status and .exclusion
    "ok": "正常", "partial": "部分", "failed": "失败",
    "not_a_report": "非报告", "unattributed": "无法归属（缺单位或年度）", "shadowed": "另一版本计入",
}


def set_lang(lang: str | None) -> str:
    """Fix the language for this process: ``lang`` if given, else $JUESUAN_LANG, else zh.  Returns it."""
    global _lang
    chosen = (lang or os.environ.get("JUESUAN_LANG") or "zh").strip().lower()[:2]
    _lang = chosen if chosen in LANGS else "zh"
    return _lang


def lang() -> str:
    return _lang or set_lang(None)


def tr(zh: str, en: str) -> str:
    """The Chinese or the English text, by the current language."""
    return zh if lang() == "zh" else en


def _warehouse_or_seeds(con, sql: str, seeds: list[tuple[str, tuple[str, ...]]]) -> list[tuple]:
    """The rows of ``sql`` on the warehouse ``con``; without a connection, or before the build made the table
    (duckdb.CatalogException), or when it is empty: the named columns of the seed files in seeds/."""
    rows: list[tuple] = []
    if con is not None:
        try:
            rows = con.execute(sql).fetchall()
        except Exception:   # a warehouse without that table yet
            rows = []
    for name, columns in seeds if not rows else ():
        if (SEEDS / name).exists():
            with open(SEEDS / name, encoding="utf-8", newline="") as fh:
                rows += [tuple(r[c] for c in columns) for r in csv.DictReader(fh)]
    return rows


class Labels:
    """Code → Chinese label.  ``Labels.load(con)`` reads reference.enum_labels when the warehouse has it."""

    def __init__(self, enum_labels: dict[tuple[str, str], str], subject_names: dict[str, str] | None = None):
        self.enum = enum_labels
        self.subject_names = subject_names or {}   # 科目 code → name: 功能分类 2xx…, 经济分类 3xx… (disjoint)
        self.any = {**WORDS}
        for (_, code), label in enum_labels.items():   # codes shared by enums: the first one read wins
            self.any.setdefault(code, label)

    @classmethod
    def load(cls, con=None) -> Labels:
        """The labels of the warehouse ``con`` (a DuckDB connection) or, without it or its tables, of the seeds.

        Enumerations from reference.enum_labels (seed enum_labels.csv); 科目 names from marts.dim_function_subject
        and marts.dim_economic_subject, which add the codes the reports print beyond the classification seeds
        (seeds function_subjects.csv and economic_subjects.csv otherwise).
        """
        rows = _warehouse_or_seeds(con, "select enum, code, label from reference.enum_labels",
                                   [("enum_labels.csv", ("enum", "code", "label"))])
        names = _warehouse_or_seeds(con, "select function_code, name from marts.dim_function_subject union all "
                                         "select economic_code, name from marts.dim_economic_subject",
                                    [("function_subjects.csv", ("function_code", "name")),
                                     ("economic_subjects.csv", ("economic_code", "name"))])
        return cls({(e, c): label for e, c, label in rows}, dict(names))

    def code(self, code: str | None, enum: str | None = None) -> str:
        """The label of ``code`` (in ``enum`` if given) in Chinese mode; the code itself in English."""
        if code is None or lang() == "en":
            return code or ""
        return self.enum.get((enum, code)) if enum and (enum, code) in self.enum else self.any.get(code, code)

    def subject(self, text: str) -> str:
        """A check's subject ``expenditure basic [general_budget] amount`` → ``基本支出 [一般公共预算财政拨款] 决算数``.

        The subject is built by macros/labels.sql fact_label: kind, item, [scope], measure, then names
        as printed; only lower-case code words are replaced, everything printed stays as it is.  The kind
        is left out where the item's label already says it (收入 收入总计 → 收入总计), and the scope of a
        revenue figure where it is ``all`` (a revenue source names its own funds; ``all`` only says which
        side of the 收入支出决算总表 it was read from).
        """
        if lang() == "en" or not text:
            return text
        tokens = text.split(" ")
        kind = tokens[0]
        item_enum = ITEM_ENUM.get(kind)
        out = []
        for i, tok in enumerate(tokens):
            scoped = re.fullmatch(r"\[([a-z_]+)\]", tok)
            if scoped:
                if not (kind == "revenue" and scoped.group(1) == "all"):
                    out.append(f"[{self.code(scoped.group(1), 'funding_scope')}]")
            elif i == 1 and item_enum and re.fullmatch(r"[a-z_]+", tok):
                out.append(self.code(tok, item_enum))
            elif re.fullmatch(r"[a-z_]+", tok):
                out.append(self.code(tok))
            elif re.fullmatch(r"\((\d{4})\)", tok):   # a figure of another year than the report's
                out.append(f"（{tok[1:-1]} 年）")
            elif i > 1 and tok in self.subject_names:   # a 科目 code: with its name (2210201 住房公积金)
                out.append(f"{tok} {self.subject_names[tok]}")
            else:
                out.append(tok)
        if len(out) > 1 and re.fullmatch(r"[a-z_]+", tokens[1]) and out[0] and out[0] in out[1]:
            out = out[1:]
        return " ".join(out).replace(" （", "（")

    def refs(self, text: str) -> str:
        """Where the figures were read (``L54 narrative "129.77万元" personnel``): code words → labels."""
        if lang() == "en" or not text:
            return text
        quoted = re.split(r'("[^"]*")', text)   # printed text stays as printed
        for pattern, zh in REF_PHRASES:
            quoted = [part if part.startswith('"') else pattern.sub(zh, part) for part in quoted]
        text = "".join(quoted)
        return re.sub(r'"[^"]*"|\b[a-z][a-z_]*\b', lambda m: m.group(0) if m.group(0).startswith('"')
                      else self.code(m.group(0)), text)
