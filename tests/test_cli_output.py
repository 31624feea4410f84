"""The CLI on click: Chinese-first output with labels, --lang en, usage errors, report filters, `juesuan show`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from juesuan.cli import main
from juesuan.paths import report_html

ROOT = Path(__file__).resolve().parents[1]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_help_once_per_command_and_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == "juesuan 0.1.0"
    assert main(["export", "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Usage: juesuan export [OPTIONS] [MARTS]...") and text.count("Usage:") == 1
    assert "--bom" in text and "--format [xlsx|csv|parquet]" in text


@pytest.mark.parametrize("argv, cause", [
    (["sql", "--bogus"], "No such option '--bogus'."),
    (["frob"], "No such command 'frob'."),
    (["sql", "--format", "xml", "select 1"], "Invalid value for '--format': 'xml' is not one of 'table', 'csv'."),
])
def test_bad_invocation_is_one_line_exit_2(argv, cause, capsys):
    assert main(["--lang", "en", *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert cause in err and "--help`" in err   # the cause, and where the fix is


def test_summary_is_chinese_by_default_and_english_on_request(warehouse_db, capsys, monkeypatch):
    monkeypatch.delenv("JUESUAN_LANG", raising=False)
    assert main(["report", "--db", str(warehouse_db), "002"]) == 0
    zh = capsys.readouterr().out
    assert "榆林市横山区总工会 2023：77 条勾稽关系中 11 条不符" in _one_line(zh)
    assert "支出 本年支出合计 [一般公共预算财政拨款] 决算数：360.44 vs 458.89（相差 -98.45，舍入允许 ±0.04）" in zh
    assert '左边 L128 文字说明 "360.44 万元"' in zh
    assert "[general_budget]" not in zh and "narrative" not in zh

    monkeypatch.setenv("JUESUAN_LANG", "en")
    assert main(["report", "--db", str(warehouse_db), "002"]) == 0
    en = capsys.readouterr().out
    assert "expenditure total [general_budget] amount: 360.44 vs 458.89  (diff -98.45, rounding allows ±0.04)" in en
    assert 'lhs L128 narrative "360.44 万元"' in en
    # --lang beats the environment, before or after the command
    assert main(["report", "--db", str(warehouse_db), "--lang", "zh", "000"]) == 0
    assert "西安市总工会（汇总）" in capsys.readouterr().out
    assert main(["--lang", "en", "report", "--db", str(warehouse_db), "000"]) == 0
    assert "西安市总工会 (consolidated)" in capsys.readouterr().out


def test_a_filtered_report_does_not_overwrite_the_full_report(warehouse_db, tmp_path, capsys):
    full = report_html(warehouse_db)
    before = full.read_text(encoding="utf-8")
    assert before.count("<tr") > 5     # every document is in the full report
    assert main(["report", "--db", str(warehouse_db), "西安"]) == 0
    assert full.read_text(encoding="utf-8") == before
    assert "report.html" not in capsys.readouterr().out
    page = tmp_path / "xian.html"
    assert main(["report", "--db", str(warehouse_db), "西安", "--html", str(page)]) == 0
    assert "西安市总工会" in page.read_text(encoding="utf-8") and "攀枝花" not in page.read_text(encoding="utf-8")
    assert full.read_text(encoding="utf-8") == before


def test_show_a_figure_gives_the_row_as_printed(warehouse_db, capsys):
    assert main(["show", "--db", str(warehouse_db), "000", "L507:C4"]) == 0
    out = capsys.readouterr().out
    assert "000_f1e20d8804268cb6.txt — 西安市总工会（汇总） 2024" in out
    assert 'L507:C4 "149.52"  支出 基本支出 决算数' in out
    assert "章节: 公开03表 支出决算表" in out
    assert "原文: 合计 | 5,334.09 | 149.52 | 5,184.57" in out


def test_show_a_finding_gives_both_sides_with_sentences(warehouse_db, capsys):
    import duckdb

    con = duckdb.connect(str(warehouse_db), read_only=True)
    check_id = con.execute("select check_id from marts.fct_identity_check where not passed and lhs_refs like 'L128 %' "
                           "and subject = 'expenditure total [general_budget] amount'").fetchall()
    con.close()
    assert len(check_id) == 1
    assert main(["--lang", "zh", "show", "--db", str(warehouse_db), check_id[0][0][:10]]) == 0
    out = capsys.readouterr().out
    assert "002_0839a5f4f132fe72.txt — 榆林市横山区总工会 2023" in out
    assert f"检查 {check_id[0][0]} total_equals_sum_of_items 不符" in out
    assert "原文: 2023年度一般公共预算财政拨款支出年初预算360.44万元，支出决算 360.44 万元" in out
    assert "原文: 年初预算 92.67 万元，支出决算 92.67 万元，完成年初预算的100%。" in out   # right side, L137


def test_show_of_nothing_is_exit_2_naming_the_fix(warehouse_db, capsys):
    assert main(["--lang", "en", "show", "--db", str(warehouse_db), "000", "L99999"]) == 2
    err = capsys.readouterr().err
    assert _one_line(err) == ("error: no figure read at L99999 in 000 — source_ref looks like L507, L507:C4, "
                              "p3 L12, p10 T1 R5 C3")


def test_every_cli_module_imports_without_posix_only_modules():
    """As on Windows: fcntl, termios, resource, pwd, grp do not exist; every CLI module still imports."""
    modules = sorted(f"juesuan.{p.stem}" for p in (ROOT / "juesuan").glob("*.py") if p.stem != "__main__")
    # third-party packages pick their own platform backend (psutil's Linux one needs resource): load them first
    code = ("import sys, psutil, duckdb, click, rich, filelock, jinja2, prompt_toolkit\n"
            "for name in ('fcntl', 'termios', 'resource', 'pwd', 'grp', 'tty', 'pty'):\n"
            "    sys.modules[name] = None\n"
            f"import importlib\nfor m in {modules + ['ingest.cli']!r}:\n    importlib.import_module(m)\n"
            "from juesuan.cli import main\nsys.exit(main(['--lang', 'en', '--help']))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "juesuan.export" in modules and "juesuan.sql" in modules and "juesuan.show" in modules
    assert "Commands:" in proc.stdout and "export" in proc.stdout


def test_the_prompt_keeps_history_and_takes_multi_line_statements(warehouse_db, tmp_path, capsys):
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from juesuan.cli import err, out
    from juesuan.sql import _lines, connect_sql, prompt

    history = tmp_path / "sql_history"
    con = connect_sql(warehouse_db)
    try:
        with create_pipe_input() as keys:
            keys.send_text("select count(*) as units,\r'x' as tag\rfrom marts.dim_unit;\r.quit\r")
            prompt(con, warehouse_db, fmt="csv", max_rows=10, out=out, err=err, history=history,
                   lines=lambda h: _lines(h, pt_input=keys, pt_output=DummyOutput()))
    finally:
        con.close()
    assert capsys.readouterr().out.splitlines()[-2:] == ["units,tag", "5,x"]
    entries = [ln[1:] for ln in history.read_text(encoding="utf-8").splitlines() if ln.startswith("+")]
    assert entries == ["select count(*) as units,", "'x' as tag", "from marts.dim_unit;", ".quit"]


def test_every_identity_has_a_chinese_label_and_the_language_comes_from_the_environment(monkeypatch, capsys):
    import csv

    from juesuan import i18n

    def names(seed):
        with open(ROOT / "seeds" / seed, encoding="utf-8", newline="") as fh:
            return [r["check_name"] for r in csv.DictReader(fh)]

    assert sorted(names("identity_labels.csv")) == sorted(names("identity_catalogue.csv"))
    for env, want in (("en", "en"), ("en_US.UTF-8", "en"), ("zh_CN.UTF-8", "zh"), ("fr", "zh"), ("", "zh")):
        monkeypatch.setenv("JUESUAN_LANG", env)
        assert i18n.set_lang(None) == want, env
    monkeypatch.setenv("JUESUAN_LANG", "fr")
    assert main(["--version"]) == 0     # an unknown language in the environment is no usage error
    assert capsys.readouterr().out.strip() == "juesuan 0.1.0"


@pytest.mark.parametrize("status, counted, exclusion, zh, en", [
    ("ok", True, None, "正常", "ok"),
    ("partial", True, None, "[yellow]部分[/yellow]", "[yellow]partial[/yellow]"),
    ("failed", False, "failed", "[red]失败[/red]", "[red]failed[/red]"),
    ("ok", False, "shadowed", "正常[dim]（另一版本计入）[/dim]", "ok[dim] (another version counts)[/dim]"),
    ("not_a_report", False, "not_a_report", "[dim]非报告[/dim]", "[dim]not a report[/dim]"),
    ("unattributed", False, "unattributed", "[dim]无法归属（缺单位或年度）[/dim]", "[dim]unattributed (no unit or year)[/dim]"),
])
def test_the_status_column_says_why_a_document_does_not_count(status, counted, exclusion, zh, en):
    from juesuan import i18n
    from juesuan.findings import DocumentSummary
    from juesuan.report import _status

    doc = DocumentSummary("d", "f.txt", "u", None, 2024, status, counted, 0, 0, 0, None, None, exclusion, None)
    try:
        assert (i18n.set_lang("zh"), _status(doc)) == ("zh", zh)
        assert (i18n.set_lang("en"), _status(doc)) == ("en", en)
    finally:
        i18n.set_lang(None)
