"""Prose forms that the generated corpus (bench/corpus.py, bench/detection.py) showed misread.

Each test runs the narrative interpreter on the verbatim sentence of a generated report that
gave a false finding, and asserts the figures now read (exact values, items, flags).
"""

from __future__ import annotations

from decimal import Decimal

from test_narrative_real import narrative, prose, the


def test_wu_starting_a_place_name_is_not_none():
    """无锡市… : 无 begins the unit's name; the headline figures are the stated 321.58 万元."""
    obs = prose("无锡市宜兴市人力资源和社会保障局2024年度收入、支出决算总计均为 321.58 万元。"
                "与上年决算相比，收、支总计各减少 35.32 万元，下降 9.90%。", 2024).observations
    assert not narrative(obs, flags="stated_none")
    for kind in ("revenue", "expenditure"):
        assert the(obs, kind=kind, item="grand_total", measure="amount").value == Decimal("321.58")
        assert the(obs, kind=kind, item="grand_total", measure="yoy_change").value == Decimal("-35.32")


def test_wu_inside_a_name_before_an_item_is_not_none():
    obs = prose("无为市财政局2024年度政府采购支出总额 54.52 万元，其中：政府采购货物支出 27.71 万元。", 2024).observations
    assert not narrative(obs, flags="stated_none")
    assert the(obs, kind="procurement", item="total").value == Decimal("54.52")
    assert the(obs, kind="procurement", item="goods").value == Decimal("27.71")


def test_wu_stating_items_nil():
    """无 followed at once by the item, and the items joined to it, are stated nil."""
    obs = prose("本部门2024年度无财政拨款“三公”经费及会议费、培训费支出，已公开空表。本单位无政府性基金预算财政拨款收入。",
                2024).observations
    nil = {(o.kind, o.item, o.value, o.value_text) for o in narrative(obs, flags="stated_none")}
    assert nil == {
        ("three_public", "total", Decimal(0), "无财政拨款“三公”经费"),
        ("three_public", "meeting", Decimal(0), "无会议费"),
        ("three_public", "training", Decimal(0), "无培训费支出"),
        ("revenue", "gov_fund", Decimal(0), "无政府性基金预算财政拨款收入"),
    }


def test_an_item_name_cut_right_after_its_list_separator_is_joined():
    """Cut at 32 characters, half-width digits make the line narrower than the document's wrap
    width; the line still ends inside a list item ("…、政" / "府采购工程支出 6.10 万元")."""
    # the rest of the document sets the wrap width: lines of 32 Chinese characters (64 columns)
    # among many short lines, so few lines fill the width and the document is not judged
    # hard-wrapped
    filler = ["本单位严格执行预算管理制度，各项支出均按规定程序审批并及时公开。", ""] * 6 + ["单位：万元", ""] * 30
    text = "\n".join(filler + [
        "八、政府采购支出决算情况说明", "",
        "普洱市澜沧拉祜族自治县机关事务管理局2023年度政府采购支出总额", "",
        " 54.63 万元，其中：政府采购货物支出 26.21 万元、政", "",
        "府采购工程支出 6.10 万元、政府采购服务支出 22.32 万", "",
        "元。", "",
        "九、预算绩效情况说明",
    ])
    interpreter = prose(text, 2023)
    assert not interpreter.rejects
    got = {(o.item, o.value, o.line_no) for o in narrative(interpreter.observations, kind="procurement")}
    first = len(filler)
    assert got == {("total", Decimal("54.63"), first + 5), ("goods", Decimal("26.21"), first + 5),
                   ("works", Decimal("6.10"), first + 7), ("services", Decimal("22.32"), first + 7)}
