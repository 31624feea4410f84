"""What an auditor reads: each finding as one sentence in Chinese (English with --lang en) that says what was
found — both figures with their unit, a slip as printed and as corrected — no code word where a Chinese
label exists, and file names that can be told apart.  Exact texts on the bundled corpus."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from rich.console import Console

from juesuan.cli import main
from juesuan.drill import SOURCE_REF
from juesuan.findings import DocumentSummary, Finding, distinct_names, document_summaries
from juesuan.i18n import Labels, set_lang
from juesuan.report import overview_table, print_text

SHARED = Path(os.environ.get("JUESUAN_SHARED", Path(__file__).resolve().parents[2] / "shared"))


@pytest.fixture()
def zh():
    yield set_lang("zh")
    set_lang(None)


@pytest.fixture()
def en():
    yield set_lang("en")
    set_lang(None)


def _statements(db: Path, doc: str) -> dict[str, str]:
    """check_id → statement of every finding of the documents matching ``doc``, in the current language."""
    labels = Labels.load()
    return {f.check_id: f.statement(labels) for d in document_summaries(db, [doc]) for f in d.findings}


def _one(statements: dict[str, str], start: str) -> str:
    hits = [s for s in statements.values() if s.startswith(start)]
    assert len(hits) == 1, (start, sorted(statements.values()))
    return hits[0]


def test_a_unit_slip_says_what_was_printed_what_proves_it_and_what_is_kept(warehouse_db, zh):
    # 002 L316 "全年预算数 235.76 元，执行数 235.76 万元"; L99 "财政拨款收入 360.44 元" beside L97 "360.4 万元"
    says = _statements(warehouse_db, "002")
    assert _one(says, "项目支出 [全部资金] 全年预算数") == (
        "项目支出 [全部资金] 全年预算数：印为“235.76 元”，同处“235.76 万元”（L318）表明单位是万元，"
        "已更正为 235.76 万元（= 2,357,600 元）")
    assert _one(says, "财政拨款收入 决算数") == (
        "财政拨款收入 决算数：印为“360.44 元”，同处“360.4 万元”（L97）表明单位是万元，已更正为 360.44 万元（= 3,604,400 元）")
    # a year slip: 2022 printed in the 2023 report's passage that compares with 上年 (L217–L221)
    assert _one(says, "“三公”经费合计 预算数") == (
        "“三公”经费合计 预算数：印为“2022 年度”，该段与上年比较（“较上年持平”，L221），说的是报告年度，已更正为 2023 年")
    # 001 L177 "全年预算数10万元，…执行数为10元": a project's figure of the year before the report's
    assert list(_statements(warehouse_db, "001").values()) == [
        "项目 合计 执行数 困难职工帮扶（2023 年）：印为“10元”，同处“10万元”（L177）表明单位是万元，"
        "已更正为 10 万元（= 100,000 元）"]


def test_the_slips_in_english(warehouse_db, en):
    says = _statements(warehouse_db, "002")
    assert _one(says, "expenditure project [all] budget_full_year") == (
        'expenditure project [all] budget_full_year: printed "235.76 元"; "235.76 万元" beside it (L318) shows the '
        "unit is 万元; corrected to 235.76 万元 (= 2,357,600 元)")
    assert _one(says, "three_public total budget") == (
        'three_public total budget: printed "2022 年度"; the passage compares with the year before ("较上年持平", L221), '
        "so it is about the report's year; corrected to 2023")


def test_figures_carry_their_unit_and_the_outcome(warehouse_db, zh):
    says = _statements(warehouse_db, "000")
    # money: 万元 on both figures, the difference and the tolerance; ≠ for a failed equality
    assert _one(says, "基本支出 [全部资金] 决算数") == (
        "基本支出 [全部资金] 决算数：149.52 万元 ≠ 175.91 万元（相差 -26.39 万元，舍入允许 ±0.01 万元）")
    assert _one(says, "项目支出 [全部资金] 决算数") == (
        "项目支出 [全部资金] 决算数：5,184.57 万元 ≠ 5,158.18 万元（相差 26.39 万元，舍入允许 ±0.01 万元）")
    assert _one(says, "项目 得分") == "项目 得分 劳模专项补助资金：100 分 ≠ 96.59 分（相差 3.41 分，舍入允许 ±0.505 分）"
    says = _statements(warehouse_db, "004")
    # a percentage: its difference in 个百分点; a revenue source without the scope `all` (it says nothing there)
    assert _one(says, "一般公共预算财政拨款收入 占比") == (
        "一般公共预算财政拨款收入 占比：98.98% ≠ 98.9032%（相差 0.0768 个百分点，舍入允许 ±0.0086 个百分点）")
    # ≥ failed: the sides are named, the left is below the right
    assert _one(says, "政府性基金预算财政拨款收入 决算数") == (
        "政府性基金预算财政拨款收入 决算数：左边 0 万元 < 右边 3 万元（相差 -3 万元，舍入允许 ±1.50 万元）")
    # an indicator's score above its weight, compared exactly (no tolerance to state)
    assert _one(_statements(warehouse_db, "002"), "绩效指标") == (
        "绩效指标 救助因病因学意外灾害等困难职工 (部门整体支出)：左边 2.50 分 < 右边 5 分（相差 -2.50 分）")


def test_figures_in_english(warehouse_db, en):
    says = _statements(warehouse_db, "000")
    assert _one(says, "expenditure basic [all] amount") == (
        "expenditure basic [all] amount: 149.52 万元 ≠ 175.91 万元 (diff -26.39 万元, rounding allows ±0.01 万元)")
    assert _one(_statements(warehouse_db, "004"), "revenue general_budget [all] share_pct") == (
        "revenue general_budget [all] share_pct: 98.98% ≠ 98.9032% (diff 0.0768 percentage points, "
        "rounding allows ±0.0086 percentage points)")


def test_no_revenue_figure_is_said_to_come_from_the_expenditure_table(warehouse_db, zh):
    labels = Labels.load()
    revenue = [f.statement(labels) for d in document_summaries(warehouse_db) for f in d.findings
               if f.subject.startswith("revenue ")]
    assert len(revenue) >= 4
    assert not [s for s in revenue if "支出决算表" in s or "全部资金" in s]


def test_chinese_output_has_no_code_word_but_the_check_name_to_query(warehouse_db, zh):
    """Every subject and every place of every check (passed ones too) in Chinese: what is left in Latin letters
    is a source_ref, a check name after its 编号, or a command to type."""
    from warehouse import query

    labels = Labels.load()
    left = set()
    for subject, lhs_refs, rhs_refs in query(warehouse_db, "select subject, lhs_refs, rhs_refs from marts.fct_identity_check"):
        for text in (labels.subject(subject), labels.refs(lhs_refs), labels.refs(rhs_refs)):
            text = SOURCE_REF.sub("", re.sub(r'"[^"]*"', "", text))
            left |= set(re.findall(r"[A-Za-z_]{2,}", text))
    assert left == set()
    console = Console(record=True, width=400)
    print_text(document_summaries(warehouse_db), console, labels=labels)
    out = console.export_text()
    out = re.sub(r"编号 [0-9a-f]{16} · [a-z_]+", "", out)
    out = SOURCE_REF.sub("", re.sub(r'"[^"]*"|\S+\.(?:txt|pdf|docx|xlsx)', "", out))
    assert re.findall(r"[A-Za-z_]{2,}", out) == []


def test_files_of_one_name_are_told_apart_by_their_folders(zh):
    assert distinct_names([("a.txt", "/x/p/a.txt"), ("a.txt", "/x/q/a.txt"), ("b.txt", "/x/p/b.txt")]) == \
        ["p/a.txt", "q/a.txt", "b.txt"]
    # the same folder name twice: one level more
    assert distinct_names([("a.txt", "/r/1/s/a.txt"), ("a.txt", "/r/2/s/a.txt")]) == ["1/s/a.txt", "2/s/a.txt"]
    # one path twice (a failed copy beside the loaded version) stays the whole path
    assert distinct_names([("a.txt", "/r/a.txt"), ("a.txt", "/r/a.txt")]) == ["/r/a.txt", "/r/a.txt"]


@pytest.mark.skipif(not (SHARED / "real" / "repro").is_dir(), reason="no development set (../shared) here")
def test_the_repro_excerpts_of_one_name_show_their_folders(zh):
    paths = sorted(str(p) for p in (SHARED / "real" / "repro").glob("*/swu2023_excerpt.txt"))
    assert len(paths) >= 2
    docs = [DocumentSummary(f"d{i}", "swu2023_excerpt.txt", "西南大学", None, 2023, "ok", False, 0, 0, 0, None, None,
                            "shadowed", None, source_path=p) for i, p in enumerate(paths)]
    for d, name in zip(docs, distinct_names([(d.source_file, d.source_path) for d in docs])):
        d.name = name
    console = Console(record=True, width=300)
    console.print(overview_table(docs))
    out = console.export_text()
    for p in paths:
        assert f"{Path(p).parent.name}/swu2023_excerpt.txt" in out


def test_report_prints_the_statement_with_identity_first(warehouse_db, capsys, monkeypatch):
    monkeypatch.delenv("JUESUAN_LANG", raising=False)
    assert main(["report", "--db", str(warehouse_db), "000"]) == 0
    out = capsys.readouterr().out
    assert "✗ 表格数 = 文字说明中的同一数  编号 b5a9b466791bd4a5 · narrative_vs_table" in out
    assert "      基本支出 [全部资金] 决算数：149.52 万元 ≠ 175.91 万元（相差 -26.39 万元，舍入允许 ±0.01 万元）" in out
    assert "支出决算表）]" not in out and " vs " not in out
    assert main(["--lang", "en", "show", "--db", str(warehouse_db), "b5a9b466"]) == 0
    out = capsys.readouterr().out
    assert "check b5a9b466791bd4a5 fails: narrative figure = table figure  narrative_vs_table" in out
    assert "  expenditure basic [all] amount: 149.52 万元 ≠ 175.91 万元 (diff -26.39 万元, rounding allows ±0.01 万元)" in out


def test_a_check_that_holds_says_equal_and_a_rate_of_100_compares_money(warehouse_db, zh):
    """003 L366: 送温暖 executed 15.00 of 15 at 100.00% — the check compares the amounts, in 万元."""
    from warehouse import query

    cols = ["check_name", "subject", "comparison", "lhs", "rhs", "diff", "tolerance", "lhs_refs", "rhs_refs", "passed"]
    rows = query(warehouse_db, f"select {', '.join(cols)} from marts.fct_identity_check "
                               "where check_name = 'full_rate_amounts_equal' and subject = 'project total execution_rate 送温暖' "
                               "and lhs_refs like 'L366:C11 %'")
    assert len(rows) == 1
    f = Finding.from_row(dict(zip(cols, rows[0])))
    assert f.statement(Labels.load()) == "项目 合计 执行率 送温暖：15 万元 = 15 万元（相差 0 万元，舍入允许 ±0.505 万元）"


def test_a_warehouse_built_before_the_ocr_columns_is_read_with_none(tmp_path):
    """fct_identity_check of a warehouse built before lhs_ocr_refs/rhs_ocr_refs: the queries select nulls (the
    next build adds the columns), so `juesuan report`, `show` and `site` still read it."""
    import duckdb

    from juesuan.findings import finding_columns_sql

    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("create schema marts; create table marts.fct_identity_check (check_id varchar, check_name varchar)")
    zh, ocr = finding_columns_sql(con)
    assert ocr == "null as lhs_ocr_refs, null as rhs_ocr_refs" and zh.startswith("(case c.check_name when ")
    assert con.execute(f"select {ocr} from marts.fct_identity_check c").description[0][0] == "lhs_ocr_refs"
    con.execute("alter table marts.fct_identity_check add column lhs_ocr_refs varchar; "
                "alter table marts.fct_identity_check add column rhs_ocr_refs varchar")
    assert finding_columns_sql(con)[1] == "c.lhs_ocr_refs, c.rhs_ocr_refs"
