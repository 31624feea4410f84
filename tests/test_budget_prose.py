"""Prose of the 部门预算 templates that named a part as its whole: 'a total, 其中 part A x, part B y'.

Runs the narrative interpreter alone over sentences in the forms of published budgets (no ../shared
needed); tests/test_real_reports.py checks the same on the real reports."""

from __future__ import annotations

from decimal import Decimal

from test_narrative_real import narrative, prose


def _items(text: str, kind: str, report_kind: str = "部门预算") -> list[tuple]:
    interpreter = prose(text, 2026, report_kind)
    return sorted((o.item, o.measure, o.value) for o in narrative(interpreter.observations, kind=kind))


def test_parts_named_with_the_procurement_word_and_a_budget_measure():
    text = "2026年本部门政府采购预算1486.42万元，其中：政府采购货物预算3.66万元、政府采购工程预算36.44万元、政府采购服务预算1446.32万元。"
    assert _items(text, "procurement") == [("goods", "budget_initial", Decimal("3.66")),
                                           ("services", "budget_initial", Decimal("1446.32")),
                                           ("total", "budget_initial", Decimal("1486.42")),
                                           ("works", "budget_initial", Decimal("36.44"))]


def test_parts_named_by_category_alone_under_a_procurement_parent():
    text = "2026年度政府采购支出预算总额2744.84万元，其中：拟采购货物支出303.4万元、拟购买服务支出2441.44万元。"
    assert _items(text, "procurement") == [("goods", "budget_initial", Decimal("303.4")),
                                           ("services", "budget_initial", Decimal("2441.44")),
                                           ("total", "budget_initial", Decimal("2744.84"))]
    text = "2024年度政府采购支出总额100万元，其中：货物类60万元，服务类40万元。"
    assert _items(text, "procurement", "部门决算") == [("goods", "amount", Decimal("60")),
                                                       ("services", "amount", Decimal("40")),
                                                       ("total", "amount", Decimal("100"))]


def test_a_category_alone_is_no_procurement_part_elsewhere():
    """购买服务 outside a procurement breakdown is 政府购买服务, something else: it names no procurement item."""
    text = "2026年本部门项目支出500万元，其中：购买服务支出120万元。"
    assert _items(text, "procurement") == []


def test_a_part_with_a_qualifier_the_vocabulary_lacks_is_not_the_total_restated():
    """'政府采购进口产品预算': 政府采购 plus words of its own is a part of the 政府采购 total — with no item
    for it the figure is rejected (unknown_part), never read as a second, different total."""
    interpreter = prose("2026年本部门政府采购预算1486.42万元，其中：政府采购进口产品预算10.5万元。", 2026, "部门预算")
    assert [(o.item, o.value) for o in narrative(interpreter.observations, kind="procurement")] == [
        ("total", Decimal("1486.42"))]
    assert [(r.value_text, r.reason) for r in interpreter.rejects] == [("10.5万元", "unknown_part")]


def test_reserve_and_fund_budgets():
    text = ("支出预算9628.22万元，其中：财政拨款支出预算9628.22万元。财政拨款支出预算中，一般公共预算拨款支出预算9628.22万元；"
            "政府性基金拨款支出预算0万元；国有资本经营预算拨款支出预算0万元。本年支出预算合计24169.74万元，其中：基本支出"
            "15844.04万元，占65.56%；单位预留机动经费3990.4万元，占16.5%。")
    got = {(o.item, o.scope, o.measure, o.value) for o in narrative(prose(text, 2026, "部门预算").observations,
                                                                     kind="expenditure")}
    assert {("total", "gov_fund", "budget_initial", Decimal("0")),
            ("total", "state_capital", "budget_initial", Decimal("0")),
            ("total", "general_budget", "budget_initial", Decimal("9628.22")),
            ("reserve", "all", "budget_initial", Decimal("3990.4")),
            ("reserve", "all", "share_pct", Decimal("16.5"))} <= got
    assert not [g for g in got if g[0] == "total" and g[1] == "all" and g[3] == 0]
