"""Figures stated in prose, per seed: exact values and source lines, read off the reports by hand.

Each row: (line, kind, item, measure, value, extra attributes).
"""

from __future__ import annotations

import pytest
from conftest import find

EXPECTED = {
    "000": [
        (92, "staff", "authorized_total", "count", 418, {}),
        (92, "staff", "authorized_admin", "count", 52, {}),
        (92, "staff", "authorized_institution", "count", 366, {}),
        (92, "staff", "actual_total", "count", 260, {}),
        (92, "staff", "actual_admin", "count", 48, {}),
        (92, "staff", "actual_institution", "count", 212, {}),
        (92, "staff", "retired", "count", 398, {}),
        (101, "revenue", "grand_total", "amount", "5334.09", {"scope": "all"}),
        (101, "expenditure", "grand_total", "amount", "5334.09", {"scope": "all"}),
        (101, "revenue", "grand_total", "yoy_change", "-4481.02", {}),
        (101, "expenditure", "grand_total", "yoy_change_pct", "-45.65", {}),
        (107, "revenue", "current_total", "amount", "5334.09", {}),
        (107, "revenue", "fiscal_total", "amount", "4671.91", {}),
        (107, "revenue", "fiscal_total", "share_pct", "87.59", {"ref_key": "revenue|all|current_total||"}),
        (107, "revenue", "business", "share_pct", "12.41", {}),
        (116, "expenditure", "basic", "amount", "149.52", {"scope": "all"}),
        (116, "expenditure", "project", "share_pct", "97.20", {"ref_key": "expenditure|all|total||"}),
        (125, "revenue", "grand_total", "amount", "4671.91", {"scope": "fiscal"}),
        (125, "expenditure", "grand_total", "yoy_change", "-5143.20", {"scope": "fiscal"}),
        (135, "expenditure", "total", "budget_initial", "4488.09", {"scope": "general_budget"}),
        (135, "expenditure", "total", "completion_pct", "104.10", {"scope": "general_budget"}),
        (135, "expenditure", "total", "share_pct", "87.59", {"scope": "general_budget", "ref_key": "expenditure|all|total||"}),
        (147, "expenditure", "total", "amount", "69.25", {"subject_name": "一般公共预算支出（类）群众团体事务（款）一般行政管理事务（项）"}),
        (149, "expenditure", "total", "budget_initial", "4338.50", {"subject_name": "一般公共预算支出（类）群众团体事务（款）工会事务（项）"}),
        (149, "expenditure", "total", "completion_pct", "100.34", {}),
        (151, "expenditure", "total", "amount", "67.87", {"scope": "general_budget"}),
        (153, "expenditure", "total", "budget_initial", "80.56", {}),
        (155, "expenditure", "total", "amount", "100", {"subject_name": "卫生健康支出（类）公立医院（款）康复医院（项）"}),
        (157, "expenditure", "total", "completion_pct", "96.52", {}),
        (161, "expenditure", "basic", "amount", "149.52", {"scope": "general_budget"}),
        (163, "expenditure", "personnel", "amount", "149.52", {"scope": "general_budget"}),
        (165, "expenditure", "public_funds", "amount", "0", {"scope": "general_budget"}),
        (169, "revenue", "gov_fund", "amount", "0", {"flags": "stated_none"}),
        (169, "expenditure", "total", "amount", "0", {"scope": "gov_fund"}),
        (181, "three_public", "total", "actual", "0", {"flags": "stated_none"}),
        (185, "three_public", "outbound", "actual", "0", {}),
        (189, "three_public", "vehicle_purchase", "actual", "0", {}),
        (193, "three_public", "vehicle_operation", "actual", "0", {}),
        (197, "three_public", "reception", "actual", "0", {}),
        (201, "three_public", "training", "actual", "0", {}),
        (205, "three_public", "meeting", "actual", "0", {}),
        (209, "agency_operation", "total", "amount", "0", {}),
        (213, "procurement", "total", "amount", "0", {}),
        (225, "performance", "evaluated_funds", "amount", "4659.62", {}),
        (227, "performance", "key_evaluation_funds", "amount", "215", {}),
        (233, "project", None, "score", "100", {"project": "部门整体支出", "project_kind": "department"}),
        (233, "project", None, "budget_full_year", "5334.09", {"project": "部门整体支出"}),
        (283, "project", None, "executed", "2933", {"project": "市级机关代缴工会经费"}),
        (289, "project", None, "execution_rate", "100", {"project": "困难职工援助资金"}),
        (717, "project", None, "score", "100", {"project": "部门整体支出"}),
        (867, "revenue", "current_total", "budget_initial", "5168.09", {}),
        (867, "expenditure", "basic", "budget_initial", "149.59", {}),
        (867, "expenditure", "basic", "amount", "175.91", {}),
        (1037, "project", None, "score", "96.59", {"project": "市级劳模专项补助资金"}),
    ],
    "001": [
        (16, "revenue", "grand_total", "amount", "1309.54", {}),
        (16, "expenditure", "grand_total", "yoy_change", "32.71", {}),
        (16, "revenue", "grand_total", "yoy_change_pct", "2.56", {}),
        (21, "revenue", "general_budget", "amount", "1309.54", {}),
        (21, "revenue", "general_budget", "share_pct", "100", {}),
        (27, "expenditure", "basic", "amount", "340.96", {"scope": "all"}),
        (27, "expenditure", "basic", "share_pct", "26.04", {}),
        (27, "expenditure", "project", "amount", "968.59", {}),
        (27, "expenditure", "project", "share_pct", "73.96", {}),
        (33, "revenue", "grand_total", "amount", "1309.54", {"scope": "fiscal"}),
        (41, "expenditure", "total", "share_pct", "100", {"scope": "general_budget"}),
        (41, "expenditure", "total", "yoy_change", "32.71", {"scope": "general_budget"}),
        (45, "expenditure", "total", "amount", "1251.76", {"subject_name": "一般公共服务（类）"}),
        (45, "expenditure", "total", "share_pct", "95.59", {"subject_name": "一般公共服务（类）"}),
        (45, "expenditure", "total", "amount", "54.14", {"subject_name": "社会保障和就业（类）"}),
        (45, "expenditure", "total", "share_pct", "0.28", {"subject_name": "农林水（类）"}),
        (50, "expenditure", "total", "completion_pct", "100", {"scope": "general_budget"}),
        (51, "expenditure", "total", "amount", "286.82", {"subject_name": "一般公共服务支出（类）群众团体事务（款）行政运行（项）"}),
        (52, "expenditure", "total", "amount", "730", {"subject_name": "一般公共服务支出（类）群众团体事务（款）工会事务（项）"}),
        (53, "expenditure", "total", "amount", "234.95", {}),
        (54, "expenditure", "total", "amount", "6.14", {"subject_name": "社会保障和就业支出（类）抚恤（款）死亡抚恤（项）"}),
        (55, "expenditure", "total", "amount", "48", {}),
        (56, "expenditure", "total", "amount", "3.64", {}),
        (59, "expenditure", "basic", "amount", "340.96", {"scope": "general_budget"}),
        (61, "expenditure", "personnel", "amount", "339.09", {}),
        (63, "expenditure", "public_funds", "amount", "1.87", {}),
        (68, "three_public", "total", "actual", "0", {}),
        (68, "three_public", "total", "yoy_change", "0", {"flags": "stated_flat"}),
        (68, "assets", "vehicles", "count", "0", {}),
        (71, "three_public", "outbound", "actual", "0", {}),
        (71, "three_public", "vehicle_total", "actual", "0", {}),
        (71, "three_public", "reception", "actual", "0", {}),
        (74, "expenditure", "total", "amount", "0", {"scope": "gov_fund"}),
        (82, "agency_operation", "total", "amount", "0", {}),
        (85, "procurement", "total", "amount", "0", {}),
        (89, "assets", "equipment_over_1m", "count", "0", {}),
        (94, "project", None, "score", "100", {"project": "部门整体支出"}),
        (94, "project", None, "score", "100", {"project": "省级财政工会专项资金"}),
        (94, "project", None, "score", "100", {"project": "市劳模疗休养及春节慰问金"}),
        (126, "staff", "authorized_total", "count", "23", {"subject_name": "市总工会机关"}),
        (126, "staff", "authorized_civil_servant_managed", "count", "18", {}),
        (126, "staff", "actual_total", "count", "8", {"subject_name": "广元市工人文化宫"}),
        (126, "staff", "retired", "count", "50", {}),
        (129, "revenue", "current_total", "budget_initial", "1054.08", {}),
        (129, "revenue", "current_total", "amount", "1309.54", {}),
        (131, "expenditure", "carryover_end", "amount", "0", {}),
        (144, "project", None, "budget_full_year", "710", {"project": "工会经费"}),
        (144, "project", None, "budget_full_year", "30.97", {"project": "市劳模疗休养及劳模体检"}),
        (145, "project", None, "budget_full_year", "177.78", {}),
        (177, "project", None, "executed", "10", {"project": "困难职工帮扶", "flags": "unit_typo_yuan", "fiscal_year": 2023}),
        (1119, "project", None, "budget_initial", "710", {"project": "工会经费"}),
        (1256, "project", None, "executed", "20", {"project": "劳动者驿站运行经费"}),
    ],
    "002": [
        (81, "staff", "authorized_total", "count", 9, {"fiscal_year": 2023}),
        (83, "staff", "actual_total", "count", 12, {}),
        (85, "staff", "retired", "count", 7, {}),
        (90, "revenue", "grand_total", "amount", "360.44", {}),
        (92, "revenue", "grand_total", "yoy_change", "-20.7", {}),
        (92, "expenditure", "grand_total", "yoy_change_pct", "-0.005", {}),  # as printed (the amounts give -5.43%)
        (97, "revenue", "current_total", "amount", "360.4", {"decimals": 1}),
        (99, "revenue", "fiscal_total", "amount", "360.44", {"flags": "unit_typo_yuan"}),  # printed "360.44 元"
        (99, "revenue", "business", "amount", "0", {}),
        (104, "expenditure", "total", "amount", "381.14", {"fiscal_year": 2022}),  # the prior year, stated
        (106, "expenditure", "basic", "share_pct", "31.43", {"fiscal_year": 2022}),
        (110, "expenditure", "total", "amount", "360.44", {"fiscal_year": 2023}),
        (112, "expenditure", "basic", "amount", "124.68", {"fiscal_year": 2023}),
        (112, "expenditure", "project", "share_pct", "66", {}),
        (117, "expenditure", "grand_total", "amount", "360.44", {"scope": "fiscal"}),
        (119, "revenue", "grand_total", "yoy_change_pct", "-0.05", {"scope": "fiscal"}),
        (126, "expenditure", "total", "budget_initial", "360.44", {"scope": "general_budget"}),
        (128, "expenditure", "total", "completion_pct", "100", {"scope": "general_budget"}),
        (130, "expenditure", "total", "yoy_change", "-20.7", {"scope": "fiscal"}),
        (137, "expenditure", "total", "budget_initial", "92.67", {"subject_name": "一般公共服务支出（类）财政事务（款）行政运行（项）"}),
        (143, "expenditure", "total", "amount", "328.43", {"subject_name": "行政运行（类）一般行政管理事务（款）（项）"}),
        (151, "expenditure", "total", "amount", "16.53", {}),
        (159, "expenditure", "total", "amount", "5.39", {}),
        (167, "expenditure", "total", "amount", "0.37", {}),
        (174, "expenditure", "total", "amount", "6.02", {"subject_name": "卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）"}),
        (180, "expenditure", "total", "amount", "9.48", {"subject_name": "住房保障支出（类）住房改革支出（款）住房公积金（项）"}),
        (186, "expenditure", "basic", "amount", "124.68", {"scope": "general_budget"}),
        (190, "expenditure", "personnel", "amount", "124.68", {}),
        (198, "expenditure", "public_funds", "amount", "6.12", {}),
        (204, "revenue", "gov_fund", "amount", "0", {}),
        (210, "expenditure", "total", "amount", "0", {"scope": "state_capital"}),
        # the 2023 report says "2022 年度…“三公”经费…较上年持平": a year typo, read as 2023 and flagged
        (217, "three_public", "total", "budget", "0", {"fiscal_year": 2023, "flags": "year_typo"}),
        (219, "three_public", "total", "actual", "0", {"fiscal_year": 2023, "flags": "year_typo"}),
        (225, "three_public", "outbound", "actual", "0", {}),
        (229, "three_public", "vehicle_purchase", "actual", "0", {}),
        (237, "three_public", "reception", "actual", "0", {}),
        (249, "agency_operation", "total", "budget", "6.11", {}),
        (249, "agency_operation", "total", "amount", "6.11", {}),
        (251, "agency_operation", "total", "yoy_change", "-0.02", {}),
        (260, "assets", "vehicles", "count", 0, {}),
        (268, "assets", "equipment_over_1m", "count", 0, {}),
        (854, "staff", "authorized_total", "count", 10, {"fiscal_year": 2022}),  # 截止上年底
        (956, "revenue", "current_total", "budget_initial", "254.13", {}),
        (956, "expenditure", "personnel", "budget_initial", "104.6", {}),
    ],
    "003": [
        (67, "staff", "authorized_admin", "count", 9, {}),
        (67, "staff", "authorized_institution", "count", 12, {}),
        (67, "staff", "actual_total", "count", 18, {}),
        (67, "staff", "retired", "count", 29, {}),
        (96, "revenue", "grand_total", "amount", "199.32", {}),
        (96, "revenue", "grand_total", "vs_budget_change", "11.31", {}),
        (96, "expenditure", "grand_total", "vs_budget_change_pct", "6.01", {}),
        (96, "revenue", "grand_total", "yoy_change", "8.20", {}),
        (96, "expenditure", "grand_total", "yoy_change_pct", "4.29", {}),
        (100, "revenue", "current_total", "yoy_change", "8.20", {}),
        (102, "revenue", "use_nonfiscal_balance", "amount", "0", {}),
        (104, "revenue", "carryover_begin", "amount", "0", {}),
        (110, "expenditure", "balance_distribution", "amount", "0", {}),
        (112, "expenditure", "carryover_end", "amount", "0", {}),
        (118, "revenue", "general_budget", "share_pct", "100.00", {}),
        (142, "expenditure", "basic", "share_pct", "51.30", {}),
        (143, "expenditure", "project", "amount", "97.06", {}),
        (161, "expenditure", "total", "budget_initial", "188.01", {"scope": "general_budget"}),
        (161, "expenditure", "total", "completion_pct", "106.01", {}),
        (165, "expenditure", "total", "amount", "97.20", {"subject_name": "一般公共服务（类）"}),
        (165, "expenditure", "total", "vs_budget_change", "13.06", {}),
        (167, "expenditure", "total", "amount", "0.14", {"subject_name": "一般公共服务（类）群众团体事务（款）行政运行（项）"}),
        (169, "expenditure", "total", "budget_initial", "84", {"subject_name": "一般公共服务（类）群众团体事务（款）工会事务（项）"}),
        (169, "expenditure", "total", "completion_pct", "115.55", {}),
        (173, "expenditure", "total", "vs_budget_change", "-1.14", {"subject_name": "社会保障和就业支出（类）"}),
        (177, "expenditure", "total", "amount", "24.54", {}),
        (179, "expenditure", "total", "completion_pct", "95.79", {}),
        (185, "expenditure", "total", "budget_initial", "18.34", {}),
        (191, "expenditure", "total", "completion_pct", "101.81", {}),
        (195, "expenditure", "basic", "amount", "102.26", {"scope": "general_budget"}),
        (197, "expenditure", "personnel", "amount", "101.17", {}),
        (197, "expenditure_economic", "basic", "amount", "30.51", {"subject_name": "机关事业单位基本养老保险缴费"}),
        (197, "expenditure_economic", "basic", "amount", "23.45", {"subject_name": "退休费"}),
        (199, "expenditure", "public_funds", "amount", "1.09", {}),
        (203, "expenditure", "project", "amount", "97.06", {"scope": "general_budget"}),
        (205, "expenditure_economic", "project", "amount", "97.06", {"subject_name": "其他对个人和家庭的补助"}),
        (211, "three_public", "total", "budget", "0", {}),
        (211, "three_public", "reception", "actual", "0", {}),
        (219, "three_public", "outbound_groups", "count", "0", {}),
        (223, "three_public", "vehicle_purchase_count", "count", "0", {}),
        (227, "three_public", "reception_domestic_batches", "count", "0", {}),
        (229, "three_public", "reception_foreign", "actual", "0", {}),
        (241, "agency_operation", "total", "amount", "1.09", {}),
        (245, "procurement", "services", "amount", "0", {}),
        (247, "procurement", "small_micro", "share_pct", "0.00", {"ref_key": "procurement||total||"}),
        (251, "assets", "vehicles_retiree", "count", "0", {}),
        (257, "performance", "evaluated_funds", "amount", "106.81", {}),
        (265, "project", None, "score", "100", {"project": "提高劳模待遇"}),
        (273, "project", None, "score", "94.5", {"project": "困难劳模"}),
        (273, "project", None, "executed", "2.25", {"project": "困难劳模"}),
        (273, "project", None, "execution_rate", "45", {"project": "困难劳模"}),
        (293, "project", None, "score", "40", {"project": "劳动竞赛经费"}),
        (303, "project", None, "budget_full_year", "22.81", {"project": "市总工会提高劳动模范荣誉津贴补差经费"}),
    ],
    "004": [
        (17, "revenue", "grand_total", "amount", "273.52", {}),
        (17, "expenditure", "grand_total", "yoy_change", "27.26", {}),
        (17, "revenue", "grand_total", "yoy_change_pct", "11.07", {}),
        (21, "revenue", "general_budget", "amount", "270.52", {}),
        (21, "revenue", "gov_fund", "share_pct", "1.02", {}),
        (21, "revenue", "state_capital", "amount", "0", {}),
        (25, "expenditure", "basic", "amount", "270.52", {"scope": "all"}),
        (25, "expenditure", "project", "share_pct", "1.02", {}),
        (28, "revenue", "grand_total", "amount", "273.52", {"scope": "fiscal"}),
        (32, "expenditure", "total", "yoy_change_pct", "11.07", {"scope": "general_budget"}),
        (35, "expenditure", "total", "amount", "231.12", {"subject_name": "一般公共服务（类）"}),
        (35, "expenditure", "total", "share_pct", "3.45", {"subject_name": "住房保障（类）"}),
        (35, "expenditure", "total", "amount", "0", {"subject_name": "教育（类）"}),
        (39, "expenditure", "total", "amount", "270.52", {"flags": "unit_missing"}),
        (40, "expenditure", "total", "amount", "209.66", {"function_code": "2012901"}),
        (41, "expenditure", "total", "amount", "21.46", {"function_code": "2012950"}),
        (42, "expenditure", "total", "amount", "5.25", {"function_code": "2080501"}),
        (43, "expenditure", "total", "amount", "12.58", {"function_code": "2080505"}),
        (45, "expenditure", "total", "amount", "4.44", {"function_code": "2101101"}),
        (46, "expenditure", "total", "amount", "1.61", {"function_code": "2101102"}),
        (47, "expenditure", "total", "amount", "5.48", {"function_code": "2101103"}),
        (48, "expenditure", "total", "amount", "0.69", {"function_code": "2101199"}),
        (49, "expenditure", "total", "amount", "9.35", {"function_code": "2210201"}),
        (53, "expenditure", "basic", "amount", "243.26", {"scope": "general_budget"}),  # vs 270.52 on line 25
        (54, "expenditure", "personnel", "amount", "129.77", {}),
        (55, "expenditure", "public_funds", "amount", "140.75", {}),
        (58, "three_public", "total", "actual", "0", {}),
        (58, "three_public", "total", "completion_pct", "0", {}),
        (61, "three_public", "outbound_groups", "count", "0", {}),
        (61, "three_public", "outbound_people", "count", "0", {}),
        (63, "three_public", "vehicle_purchase_count", "count", "0", {}),
        (63, "assets", "vehicles", "count", "0", {}),
        (66, "three_public", "reception_domestic_people", "count", "0", {}),
        (67, "three_public", "reception_foreign", "actual", "0", {}),
        (75, "agency_operation", "total", "amount", "140.75", {}),
        (75, "agency_operation", "total", "yoy_change", "-19.45", {}),
        (75, "agency_operation", "total", "yoy_change_pct", "-12.14", {}),
        (77, "procurement", "goods", "amount", "0", {}),
        (77, "procurement", "sme", "share_pct", "0", {}),
        (79, "assets", "equipment_over_1m", "count", "0", {}),
        (125, "staff", "authorized_civil_servant_managed", "count", "4", {}),
        (125, "staff", "actual_temporary", "count", "2", {}),
        (125, "staff", "actual_total", "count", "8", {}),
        (125, "staff", "retired", "count", "6", {}),
        (144, "revenue", "fiscal_total", "amount", "270.52", {}),
        (322, "project", None, "budget_full_year", "3", {"project": "送温暖帮扶"}),
        (352, "project", None, "budget_initial", "3", {"project": "送温暖帮扶专项经费"}),
    ],
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_narrative_figures(parsed, key):
    doc = parsed[key]
    missing = []
    for line, kind, item, measure, value, extra in EXPECTED[key]:
        matches = find(doc, source_kind="narrative", line_no=line, kind=kind, item=item, measure=measure, value=value)
        matches = [o for o in matches if all((getattr(o, k) == v if k != "flags" else v in (o.flags or "")) for k, v in extra.items())]
        if not matches:
            missing.append((line, kind, item, measure, value, extra))
    assert not missing, f"{key}: not found {missing}"
    assert len(EXPECTED[key]) >= 40


def test_explanations_are_rejected_not_attributed(parsed):
    doc = parsed["000"]
    # "下降的主要原因是：2023年边家村工人文化宫新建项目资金5000万元"
    assert not find(doc, source_kind="narrative", value="5000")
    reasons = {(r.line_no, r.value_text, r.reason) for r in doc.result.rejects}
    assert (101, "5000万元", "explanation") in reasons
    assert (149, "26.40万元", "explanation") in reasons


def test_per_head_standards_and_unrecognised_items_are_rejected(parsed):
    assert not find(parsed["001"], value="0.2", kind="project")  # "每名困难职工2000元"
    reasons = {(r.line_no, r.value_text, r.reason) for r in parsed["002"].result.rejects}
    assert (958, "6.1 万元", "unknown_subject") in reasons  # 日常用经费: not in the template vocabulary
    assert (21, "占c%", "malformed_number") in {(r.line_no, r.value_text, r.reason) for r in parsed["004"].result.rejects}


def test_figures_in_a_project_analysis_are_marked(parsed):
    o = find(parsed["004"], line_no=180, kind="revenue", item="fiscal_total")[0]
    assert "project_section" in o.flags  # "财政拨款收入为3万元" inside 特定目标类项目绩效分析


def test_every_money_figure_is_in_wan_with_its_printed_text(parsed):
    for doc in parsed.values():
        for o in doc.result.observations:
            if o.unit == "万元":
                assert o.value_text and o.line_no > 0
