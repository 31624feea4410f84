"""绩效自评 tables: projects and indicators in grid, one-cell-per-line and flattened layouts."""

from __future__ import annotations

from conftest import D, find, one


def indicators(doc, project=None):
    return [i for i in doc.result.indicators if project is None or i.project == project]


def test_project_table_with_misaligned_rows(parsed):
    """000: rows shifted by merged cells (劳模专项补助资金 starts one column left)."""
    doc = parsed["000"]
    got = {(o.item, o.measure): o.value for o in find(doc, kind="project", project="劳模专项补助资金", source_kind="table")}
    assert got[("total", "budget_initial")] == D(215)
    assert got[("total", "budget_full_year")] == D("214.94")
    assert got[("total", "executed")] == D("214.94")
    assert got[("total", "execution_rate")] == D(100)
    assert got[("total", "funding_weight")] == D(10)
    assert got[(None, "max_score")] == D(100) and got[(None, "score")] == D(100)
    assert one(doc, project="劳模专项补助资金", measure="budget_initial", item="total").line_no == 340


def test_indicator_rows_anchored_on_their_scores(parsed):
    rows = {i.indicator: i for i in indicators(parsed["000"], "困难职工援助资金")}
    assert len(rows) == 14
    shifted = rows["发放标准"]  # the row is shifted right by two cells in the export
    assert (shifted.level1, shifted.level2, shifted.target_text, shifted.weight, shifted.score, shifted.line_no) == (
        "产出指标", "成本指标", "1000元/人", D(4), D(4), 376)
    assert rows["救助金金额"].target_text == "60万" and rows["受助困难职工满意度"].level1 == "满意度指标"
    dept = {i.indicator: i for i in indicators(parsed["000"], "部门整体支出")}
    # a 一级 label printed mid-block and a row shifted left: both understood
    assert (dept["劳模生活补助补助资金发放到位率"].level1, dept["困难职工人数"].target_text[:6]) == ("产出指标", "在档困难职工")
    social = next(i for i in indicators(parsed["000"], "部门整体支出") if i.line_no == 271)  # shifted left by two
    assert (social.indicator, social.level2, social.weight) == ("企业职工满意度", "社会效益指标", D(15))
    # indicators carry 90 points; the 10 of the funding row make the printed 总分 100
    funding = one(parsed["000"], project="部门整体支出", measure="funding_score", source_kind="table").value
    total = one(parsed["000"], project="部门整体支出", measure="score", kind="project", source_kind="table").value
    assert sum(i.score for i in indicators(parsed["000"], "部门整体支出")) + funding == total == D(100)


def test_department_tasks_and_amount_total(parsed):
    doc = parsed["000"]
    task = {(o.item, o.measure): o.value for o in find(doc, project="保运转支出")}  # row shifted left
    assert task[("total", "budget_full_year")] == D("175.91") and task[("other", "executed")] == D("0.00")
    dept = {(o.item, o.measure): o.value for o in find(doc, project="部门整体支出", source_kind="table")}
    assert dept[("total", "budget_full_year")] == D("5334.09") and dept[("fiscal", "executed")] == D("4671.91")
    assert dept[("total", "funding_score")] == D(10)


def test_indicators_with_nature_direction_unit_and_reason(parsed):
    rows = indicators(parsed["003"], "劳动竞赛经费")
    first = rows[0]
    assert (first.indicator, first.nature, first.direction, first.target_text, first.actual_text, first.unit_text,
            first.weight, first.score) == ("表彰劳动竞赛先进单位数量", "正向", "大于等于", "5", "0", "家", D(7), D(0))
    assert first.deviation_reason.startswith("根据相关文件要求，暂停此项评选工作")
    assert [r.indicator for r in rows][-1] == "创新工作室满意度"  # a row shifted left by one cell
    assert one(parsed["003"], kind="project", project="劳动竞赛经费", measure="score", source_kind="table").value == D(40)
    assert one(parsed["003"], project="困难劳模", measure="funding_score").value == D("4.50")
    assert len({i.project for i in indicators(parsed["003"])}) == 5


def test_one_cell_per_line_indicator_tables(parsed):
    doc = parsed["001"]
    rows = indicators(doc, "困难职工帮扶")  # project named by the report title above the table
    assert [(r.level1, r.level2, r.indicator, r.target_text) for r in rows][:4] == [
        ("产出指标", "数量指标", "困难职工医疗救助人数", "50人"),
        ("产出指标", "时效指标", "帮扶完成时间", "≤1年"),
        ("产出指标", "质量指标", "困难职工帮扶覆盖率", "≥30%"),
        ("成本指标", "经济成本指标", "困难职工生活救助标准", "2000元/人"),
    ]
    big = indicators(doc, "省级财政工会专项资金")
    assert len(big) == 34 and big[0].level2 == "数量指标"  # first rows sit above their merged label
    project = {(o.item, o.measure): o.value
               for o in find(parsed["004"], kind="project", project="送温暖帮扶专项经费", source_kind="table")}
    assert project == {("total", "budget_full_year"): D(3), ("total", "executed"): D(3), ("total", "execution_rate"): D(100),
                       ("fiscal", "budget_full_year"): D(3), ("fiscal", "executed"): D(3), ("fiscal", "execution_rate"): D("100.00")}
    assert indicators(parsed["004"])[0].completion_text == "100%"


def test_flattened_pdf_table(parsed):
    doc = parsed["002"]
    tasks = {o.project for o in find(doc, project_kind="department_task")}
    assert tasks == {"保机构运转", "区级劳模荣誉津贴", "困难职工援助及春节送温暖", "工会经费"}
    assert one(doc, project="区级劳模荣誉津贴", measure="funding_weight").value == D(205)  # printed 205 for 2.5
    total = {(o.item, o.measure): o.value for o in find(doc, project="部门整体支出", source_kind="table")}
    assert total[("total", "budget_full_year")] == D("254.13") and total[(None, "score")] == D("99.5")
    rows = indicators(doc)
    assert len(rows) == 23
    by_name = {r.indicator: r for r in rows}
    assert (by_name["救助因病因学意外灾害等困难职工"].weight, by_name["救助因病因学意外灾害等困难职工"].score) == (D("2.5"), D(5))
    assert by_name["改善困难职工的生活状况及减轻因病因学带来的经济负担"].level2 == "社会效益指标"
    assert by_name["区级劳模及五一劳动奖章获得者满意率"].level1 == "满意度指标"
    assert sum(r.score for r in rows) == D("99.5")


def test_prose_names_of_a_project_join_its_table(parsed):
    # 001 L316 calls the project “劳模春节慰问金及疗休养”; its table title says 市劳模春节慰问金及疗休养.
    doc = parsed["001"]
    executed = one(doc, kind="project", measure="executed", line_no=316)
    assert executed.value == D("30.97")
    assert executed.project_key == "市劳模春节慰问金及疗休养"
    assert any(i.project_key == "市劳模春节慰问金及疗休养" for i in doc.result.indicators)
    # the abbreviation 劳动者驿站 (L145) joins 劳动者驿站运行, whose table is at L1278
    station = [o for o in find(doc, kind="project", line_no=145, measure="budget_full_year") if o.value == D(20)]
    assert [o.project_key for o in station] == ["劳动者驿站运行"]


def test_project_key_reconciliation_leaves_ambiguity_alone():
    from ingest.performance import reconcile_keys

    tables = {"困难职工援助", "困难职工援助及春节送温暖", "劳动者驿站运行"}
    assert reconcile_keys(tables, {"困难职工援助", "劳动者驿站", "区劳动者驿站运行", "工会"}) == {
        "劳动者驿站": "劳动者驿站运行",
        "区劳动者驿站运行": "劳动者驿站运行",
    }
    # '困难职工' is inside two table keys: stays as printed
    assert reconcile_keys(tables, {"困难职工"}) == {}
