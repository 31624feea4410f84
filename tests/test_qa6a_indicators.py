"""Indicator rows of the self-evaluation tables: a date or period is a value, never an indicator's name; the
names a report really prints twice stay, each row with its own indicator_no."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from ingest.performance import is_period_value


@pytest.mark.parametrize("text, period", [
    ("2023 年全年", True), ("2024年12月31日前", True), ("年底前", True), ("全年", True), ("12月底", True),
    ("项目完成时间", False), ("控制预算数", False), ("2023", False), ("100%", False), ("劳模人数", False),
    ("2023年劳模疗休养", False),
])
def test_a_date_or_period_alone_is_a_value(text, period):
    assert is_period_value(text) is period


def test_rows_printing_only_their_actual_value_belong_to_the_indicator_above(parsed):
    """002's 部门整体支出 table, 时效指标: "项目完成时间 2.5 2.5" (L668), then "2023 年全年 5 5" twice (L670, L672) —
    rows whose 指标内容 cell is blank print their 实际完成值 alone."""
    rows = [(i.line_no, i.level2, i.indicator, i.actual_text, i.weight, i.score)
            for i in parsed["002"].result.indicators if i.level2 == "时效指标"]
    assert rows == [(666, "时效指标", "项目完成时间", None, Decimal("2.5"), Decimal("2.5")),
                    (670, "时效指标", "项目完成时间", "2023年全年", Decimal(5), Decimal(5)),
                    (672, "时效指标", "项目完成时间", "2023年全年", Decimal(5), Decimal(5))]
    for doc in parsed.values():
        assert not [i for i in doc.result.indicators if is_period_value(i.indicator)]


def test_the_names_printed_twice_are_the_report_s_own(parsed):
    """Every name that repeats within a project is one the report prints on several rows: under two 二级指标, or
    on the rows of one 指标内容 (控制预算数 ×3; 项目完成时间 and its two value rows).  Nothing is dropped."""
    repeats = {}
    for key, doc in parsed.items():
        names = Counter((i.project, i.indicator) for i in doc.result.indicators)
        for (project, name), n in names.items():
            if n > 1:
                repeats[(key, project, name)] = sorted(
                    (i.level2, i.line_no) for i in doc.result.indicators if (i.project, i.indicator) == (project, name))
    assert repeats == {
        ("000", "部门整体支出", "企业职工满意度"): [("服务对象满意度指标", 274), ("社会效益指标", 271)],
        ("001", "省级财政工会专项资金", "资金发放准确率"): [("时效指标", 809), ("质量指标", 797)],
        ("002", "部门整体支出", "控制预算数"): [("成本指标", 674), ("成本指标", 678), ("成本指标", 680)],
        ("002", "部门整体支出", "项目完成时间"): [("时效指标", 666), ("时效指标", 670), ("时效指标", 672)],
        ("003", "提高劳模待遇", "发放全国劳模津贴"): [("成本指标", 330), ("数量指标", 322)],
        ("003", "提高劳模待遇", "发放自治区劳模津贴"): [("成本指标", 331), ("数量指标", 323)],
        ("003", "提高劳模待遇", "发放市级劳模津贴"): [("成本指标", 332), ("数量指标", 324)],
        ("003", "提高劳模待遇", "劳模疗休养"): [("成本指标", 333), ("数量指标", 325)],
    }
    nos = [(key, i.indicator_no) for key, doc in parsed.items() for i in doc.result.indicators]
    assert len(nos) == len(set(nos)) == 220   # every row kept, each with its own position
