"""Staff, vehicles and prior-year figures stated in prose (issue 13): kind, item, year, line.

Sentences in the national template's wording (the first of each pair verbatim from the bundled
reports, the others as other provinces print the same paragraph).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from test_narrative_real import prose


def _counts(text: str, year: int = 2023) -> dict[tuple[str, str, int], Decimal]:
    out: dict[tuple[str, str, int], Decimal] = {}
    for o in prose(text, year).observations:
        key = (o.kind, o.item, o.fiscal_year)
        assert key not in out, f"{key} read twice"
        out[key] = o.value
    return out


def test_authorized_and_actual_staff_by_category_with_workers_and_retired_kinds():
    got = _counts("截至2023年12月31日，本部门共有编制人数50人，其中行政编制30人、事业编制20人、工勤编制5人；"
                  "实有人数45人，其中行政28人、事业12人、工勤5人；离退休人员20人，其中离休1人、退休19人。")
    assert got == {
        ("staff", "authorized_total", 2023): 50, ("staff", "authorized_admin", 2023): 30,
        ("staff", "authorized_institution", 2023): 20, ("staff", "authorized_worker", 2023): 5,
        ("staff", "actual_total", 2023): 45, ("staff", "actual_admin", 2023): 28,
        ("staff", "actual_institution", 2023): 12, ("staff", "actual_worker", 2023): 5,
        ("staff", "retired", 2023): 20, ("staff", "retired_veteran", 2023): 1, ("staff", "retired_regular", 2023): 19,
    }


def test_staff_in_post_by_category():
    got = _counts("截至2023年底，本单位实有在职人员25人，其中参公人员20人、工勤人员5人。")
    assert got == {("staff", "actual_total", 2023): 25, ("staff", "actual_civil_servant_managed", 2023): 20,
                   ("staff", "actual_worker", 2023): 5}


def test_vehicles_by_use_never_repeat_the_total():
    got = _counts("截至2023年12月31日，本部门共有车辆5辆，其中：一般公务用车3辆、执法执勤用车2辆。")
    assert got == {("assets", "vehicles", 2023): 5, ("assets", "vehicles_general", 2023): 3,
                   ("assets", "vehicles_law_enforcement", 2023): 2}


@pytest.mark.parametrize("opening, year", [("截止上年底", 2022), ("截至2022年底", 2022), ("截至2023年底", 2023)])
def test_staff_stated_for_a_year_end_belong_to_that_year(opening, year):
    # 002 L854-856 (榆林市横山区总工会 2023), verbatim but for the opening
    got = _counts(f"{opening}，本单位人员编制 10 人，其中行政编制 4 人、事业编制 6 人；实有人员 8 人，其中行政 2 人、事业 6 人。")
    assert got == {("staff", "authorized_total", year): 10, ("staff", "authorized_admin", year): 4,
                   ("staff", "authorized_institution", year): 6, ("staff", "actual_total", year): 8,
                   ("staff", "actual_admin", year): 2, ("staff", "actual_institution", year): 6}


def test_prior_year_totals_stated_in_the_text_are_facts_of_that_year():
    # 002 L104-106, verbatim: the 2022 breakdown is stated in the 2023 report
    text = "2022 年度本年支出合计 381.14 万元，其中：基本支出 119.78 万元，占 31.43%；项目支出 261.36 万元，占 68.57%；经营支出 0 万元，占 0%。"
    got = {(o.item, o.measure): (o.value, o.fiscal_year) for o in prose(text, 2023).observations}
    assert got[("total", "amount")] == (Decimal("381.14"), 2022)
    assert got[("basic", "amount")] == (Decimal("119.78"), 2022)
    assert got[("project", "amount")] == (Decimal("261.36"), 2022)
    assert got[("basic", "share_pct")] == (Decimal("31.43"), 2022)
    assert {y for _, y in got.values()} == {2022}
