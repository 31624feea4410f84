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
    assert main(["--lang", "en", "export", "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Usage: juesuan export [OPTIONS] [MARTS]...") and text.count("Usage:") == 1
    assert "--bom" in text and "--format [xlsx|csv|parquet]" in text


@pytest.mark.parametrize("command", ["", "run", "ingest", "build", "check", "report", "sql", "show", "export", "site",
                                     "status"])
def test_help_is_chinese_by_default_and_english_with_lang_en(command, capsys, monkeypatch):
    """LOW-C4: every command's and option's help in Chinese (cli.HELP_ZH), click's own words too; --lang en (before
    or after the command, or $JUESUAN_LANG=en) gives the English."""
    import click

    from juesuan.cli import HELP_ZH, cli

    monkeypatch.delenv("JUESUAN_LANG", raising=False)
    argv = [command] if command else []
    assert main([*argv, "--help"]) == 0
    zh = capsys.readouterr().out
    assert zh.startswith(f"用法：juesuan {command}".rstrip()) and "Usage:" not in zh and "Options" not in zh
    assert "选项:" in zh and "显示本帮助并退出。" in zh
    cmd = cli.commands.get(command, cli)
    assert HELP_ZH[f"command {command or 'cli'}"].split("。")[0].split("（")[0] in _one_line(zh)
    for p in cmd.params:
        if isinstance(p, click.Option) and p.help_en:
            assert p.help_en in HELP_ZH, p.help_en      # every option has its Chinese help …
            assert p.help_en.split(" (")[0][:30] not in zh, p.help_en   # … and the English is not shown
    for en in (["--lang", "en", *argv, "--help"], [*argv, "--lang=en", "--help"]):
        assert main(en) == 0
        text = capsys.readouterr().out
        assert text.startswith(f"Usage: juesuan {command}".rstrip()) and "Show this message and exit." in text
        assert not any(v[:8] in text for k, v in HELP_ZH.items() if k != "command cli") and "选项" not in text, text
    monkeypatch.setenv("JUESUAN_LANG", "en")
    assert main([*argv, "--help"]) == 0
    assert capsys.readouterr().out.startswith("Usage: ")


def test_the_default_report_page_stays_chinese_and_english_has_its_own(warehouse_db, tmp_path, capsys):
    """LOW-C4: report.html is the Chinese page whichever language wrote last; --lang en writes report.en.html."""
    import shutil

    from juesuan.cli import report_page

    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse_db, db)
    assert main(["report", "--db", str(db)]) == 0
    chinese = report_html(db).read_bytes()
    assert "勾稽关系" in chinese.decode("utf-8")
    assert main(["--lang", "en", "report", "--db", str(db)]) == 0
    assert report_html(db).read_bytes() == chinese
    english = report_html(db).with_name("report.en.html")
    assert report_page(db) == english and english.is_file() and "identities" in english.read_text("utf-8")
    assert f"report: {english}" in _one_line(capsys.readouterr().out)


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
    assert "榆林市横山区总工会 2023：95 条勾稽关系中 14 条不符" in _one_line(zh)
    assert "本年支出合计 [一般公共预算财政拨款] 决算数：360.44 万元 ≠ 458.89 万元（相差 -98.45 万元，舍入允许 ±0.04 万元）" in zh
    assert '左边 L128 文字说明 "360.44 万元"' in zh
    assert "[general_budget]" not in zh and "narrative" not in zh

    monkeypatch.setenv("JUESUAN_LANG", "en")
    assert main(["report", "--db", str(warehouse_db), "002"]) == 0
    en = capsys.readouterr().out
    assert ("expenditure total [general_budget] amount: 360.44 万元 ≠ 458.89 万元 (diff -98.45 万元, rounding allows ±0.04 万元)"
            in en)
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
    assert 'L507:C4 "149.52"  基本支出 决算数' in out
    assert "章节: 公开03表 支出决算表" in out
    assert "原文: 合计 | 5,334.09 | 149.52 | 5,184.57" in out


def _show_the_finding(db, where: str, capsys) -> tuple[str, str]:
    """`juesuan show` (in Chinese) of the one failed check matching ``where``, by a prefix of its id: (id, output)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    check_id = con.execute(f"select check_id from marts.fct_identity_check where not passed and {where}").fetchall()
    con.close()
    assert len(check_id) == 1
    assert main(["--lang", "zh", "show", "--db", str(db), check_id[0][0][:10]]) == 0
    return check_id[0][0], capsys.readouterr().out


def test_show_a_finding_gives_both_sides_with_sentences(warehouse_db, capsys):
    check_id, out = _show_the_finding(
        warehouse_db, "lhs_refs like 'L128 %' and subject = 'expenditure total [general_budget] amount'", capsys)
    assert "002_0839a5f4f132fe72.txt — 榆林市横山区总工会 2023" in out
    assert f"检查 {check_id} 不符: 合计 = Σ 项（只列出项时）  total_equals_sum_of_items" in out
    assert "原文: 2023年度一般公共预算财政拨款支出年初预算360.44万元，支出决算 360.44 万元" in out
    assert "原文: 年初预算 92.67 万元，支出决算 92.67 万元，完成年初预算的100%。" in out   # right side, L137


def test_show_a_performance_finding_gives_the_indicator_row(warehouse_db, capsys):
    """The performance checks cite an indicator's 分值 and 得分 (raw.indicators, not raw.observations): both
    sides show the indicator's row, and the place alone is a figure `show` finds."""
    _, out = _show_the_finding(
        warehouse_db, "check_name = 'indicator_score_within_weight' and lhs_refs like 'L641 %'", capsys)
    row = "原文: 产出指标 | 数量指标 | 救助因病因学意外灾害等困难职工 | 2.5 | 5"
    assert out.count(row) == 2 and out.count("章节: 部门整体支出") == 2 and "无原始读数" not in out
    assert main(["--lang", "zh", "show", "--db", str(warehouse_db), "002", "L641"]) == 0
    out = capsys.readouterr().out
    assert 'L641 "2.5"、"5"  绩效指标 救助因病因学意外灾害等困难职工 权重; 绩效指标 救助因病因学意外灾害等困难职工 得分' in out
    assert row in out


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


# ---------------------------------------------------------------- error paths: one line, exit 2, no traceback
@pytest.mark.parametrize("argv, cause", [
    (["sql", ""], "no SQL statement in the query (only blanks or comments)"),
    (["sql", "--", "-- comment"], "no SQL statement in the query (only blanks or comments)"),
    (["sql", "-- comment"], "'-- comment' starts with '-' and was taken for an option — put `--` before it"),
    (["sql", "--max-rows", "-1", "select 1"], "Invalid value for '--max-rows': -1 is not in the range x>=0."),
    (["report", "--html", "/tmp"], "Invalid value for '--html': File '/tmp' is a directory."),
])
def test_error_paths_are_one_line_exit_2(warehouse_db, argv, cause, capsys):
    assert main(["--lang", "en", *argv[:1], "--db", str(warehouse_db), *argv[1:]]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert cause in _one_line(err)


def test_a_bad_age_is_said_in_chinese_first(warehouse_db, capsys):
    assert main(["status", "--db", str(warehouse_db), "--max-age", "bogus"]) == 2
    assert _one_line(capsys.readouterr().err) == "错误: 时长 'bogus'：请写数字加 m、h 或 d（分钟、小时、天），例如 26h"


def test_dot_tables_works_as_a_query_as_at_the_prompt(warehouse_db, capsys):
    assert main(["sql", "--db", str(warehouse_db), "--format", "csv", ".tables"]) == 0
    rows = dict(line.split(",", 1) for line in capsys.readouterr().out.splitlines()[1:])
    assert rows["marts"].strip('"').startswith("dim_document, dim_economic_subject, dim_function_subject, dim_unit, ")
    assert "documents" in rows["raw"] and "observations" in rows["raw"]


def test_a_file_that_is_not_a_warehouse_is_named_exit_2(capsys, monkeypatch):
    readme = ROOT / "README.md"
    assert main(["--lang", "en", "--db", str(readme), "status"]) == 2
    err = _one_line(capsys.readouterr().err)
    assert err == f"error: {readme} is not a DuckDB warehouse file — give --db (or JUESUAN_DB) a .duckdb file, " \
                  "or a path that does not exist yet to create one"
    monkeypatch.setenv("JUESUAN_DB", str(readme))
    assert main(["--lang", "en", "sql", "select 1"]) == 2
    assert f"{readme} is not a DuckDB warehouse file" in _one_line(capsys.readouterr().err)


def test_max_rows_0_shows_every_row(warehouse_db, capsys):
    sql = "select * from range(3)"
    assert main(["sql", "--db", str(warehouse_db), "--max-rows", "0", sql]) == 0
    out = capsys.readouterr().out
    assert [line.strip("│ ") for line in out.splitlines() if line.startswith("│")] == ["0", "1", "2"]
    assert "more rows" not in out
    assert main(["--lang", "en", "sql", "--db", str(warehouse_db), "--max-rows", "1", sql]) == 0
    assert "2 more rows" in capsys.readouterr().out


def test_a_reader_that_stops_reading_ends_nothing_badly(warehouse_db):
    """`juesuan report | head -1`: exit 0, nothing on stderr (rich's default would exit 1)."""
    proc = subprocess.Popen([sys.executable, "-m", "juesuan", "--db", str(warehouse_db), "report"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()          # the reader is gone; the rest of the output meets a broken pipe
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0, err
    assert err == ""


def test_report_filters_take_a_path_relative_absolute_or_a_file_name(warehouse_db, capsys, monkeypatch):
    from warehouse import REPORTS, query

    source = query(warehouse_db, "select source_path from marts.dim_document where source_file like '004%'")[0][0]
    monkeypatch.chdir(Path(source).parent.parent)
    relative = str(Path(Path(source).parent.name) / Path(source).name)
    for term in (source, relative, Path(source).name, "攀枝花"):
        assert main(["--lang", "en", "report", "--db", str(warehouse_db), term]) == 0, term
        out = capsys.readouterr().out
        assert "004_2979b81a862d526d.txt" in out and "000_" not in out, term
    assert main(["--lang", "en", "report", "--db", str(warehouse_db), str(Path(source).parent)]) == 0  # a folder
    out = capsys.readouterr().out
    assert all(p.name in out for p in REPORTS.glob("*.txt"))
    assert main(["--lang", "en", "report", "--db", str(warehouse_db), str(REPORTS / "no_such.txt")]) == 2
    assert f"no document matches {REPORTS / 'no_such.txt'}" in _one_line(capsys.readouterr().err)


def test_two_warehouses_in_one_folder_keep_their_own_pages(warehouse_db, tmp_path, capsys):
    import shutil

    from juesuan.paths import data_docs_dir, dbt_target_dir, outputs_dir, site_dir

    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    shutil.copy(warehouse_db, a)
    shutil.copy(warehouse_db, b)
    assert main(["report", "--db", str(a)]) == 0 and main(["report", "--db", str(b), "--html", str(tmp_path / "b.html")]) == 0
    assert main(["report", "--db", str(b)]) == 0
    assert report_html(a) == tmp_path / "a_outputs" / "report.html" and report_html(a).is_file()
    assert report_html(b) == tmp_path / "b_outputs" / "report.html" and report_html(b).is_file()
    assert not (tmp_path / "report.html").exists()
    assert (data_docs_dir(a), dbt_target_dir(b)) == (tmp_path / "a_outputs" / "data_docs", tmp_path / "b_outputs" / "dbt_target")
    assert main(["site", "--db", str(a), "--no-crops"]) == 0 and main(["site", "--db", str(b), "--no-crops"]) == 0
    assert site_dir(a) == tmp_path / "a_outputs" / "site" and (site_dir(a) / "index.html").is_file()
    assert (site_dir(b) / "index.html").is_file() and not (tmp_path / "site").exists()
    # the project's own warehouse keeps them in warehouse/, as README says
    assert outputs_dir(ROOT / "warehouse" / "juesuan.duckdb") == ROOT / "warehouse"


def test_status_gives_the_newest_final_and_budget_years(warehouse_db, tmp_path, capsys):
    import shutil

    import duckdb

    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse_db, db)
    assert main(["--lang", "en", "status", "--db", str(db)]) == 0
    out = _one_line(capsys.readouterr().out)
    assert "newest final-accounts (决算) year │ 2024" in out and "newest budget (预算) year │ —" in out
    con = duckdb.connect(str(db))   # a 2026 budget arrives (report_kind as the metadata reads it)
    con.execute("update raw.documents set report_kind = '部门预算', fiscal_year = 2026 where source_file like '002%'")
    con.close()
    assert main(["--lang", "en", "status", "--db", str(db)]) == 0
    out = _one_line(capsys.readouterr().out)
    assert "newest final-accounts (决算) year │ 2024" in out and "newest budget (预算) year │ 2026" in out


def test_a_gbk_console_gets_every_line_with_stand_ins_for_the_marks_it_lacks(warehouse_db):
    """A report redirected to a file under a Chinese Windows is written in GBK (cp936), which has no ✗ or ✓:
    the output goes on to the end, the same as in UTF-8 but with × for ✗ and √ for ✓, instead of failing
    half-way with exit 2."""
    import os

    def report(encoding: str) -> str:
        done = subprocess.run([sys.executable, "-m", "juesuan", "--db", str(warehouse_db), "report"], cwd=ROOT,
                              capture_output=True, env={**os.environ, "PYTHONIOENCODING": encoding}, timeout=300)
        assert done.returncode == 0, done.stderr.decode(encoding, errors="replace")
        return done.stdout.decode(encoding)

    utf8, gbk = report("utf-8"), report("cp936")
    assert "  ✗ " in utf8 and "✗" not in gbk and "  × " in gbk
    # line for line the same, but for the marks and the tables' borders (rich draws them in ASCII there)
    utf8_lines, gbk_lines = utf8.replace("✗", "×").replace("✓", "√").splitlines(), gbk.splitlines()
    assert len(gbk_lines) == len(utf8_lines)
    differ = [(u, g) for u, g in zip(utf8_lines, gbk_lines) if u != g]
    assert differ and all(u[:1] in "┏┃┡│└" and g[:1] in "+|" for u, g in differ)


def test_an_encrypted_word_file_in_a_folder_fails_with_what_to_do(tmp_path, capsys):
    """A folder of published 决算 often holds .doc/.xls files, both read (ingest/readers/legacy.py, worddoc.py); a
    Word 97 binary that is encrypted cannot be — it is a failed document (exit 4) whose reason says so and what to
    ask for, never skipped like a scan.  (The encrypted .doc was written by Word: tests/test_worddoc.py.)"""
    inbox = tmp_path / "in"
    inbox.mkdir()
    encrypted = Path(__file__).resolve().parent / "fixtures" / "worddoc" / "word_encrypted.doc"
    (inbox / "2024年度部门决算.doc").write_bytes(encrypted.read_bytes())
    (inbox / "scan.png").write_bytes(b"\x89PNG")
    assert main(["ingest", "--db", str(tmp_path / "w.duckdb"), str(inbox)]) == 4
    out = "".join(capsys.readouterr().out.split())   # a console folds a long Chinese line anywhere
    assert "2024年度部门决算.doc（整个文件）：加密的Word文档：没有密码无法打开（请向发布单位索取未加密的版本" in out
    assert "1×不是报告的文件格式（.png）" in out and "2024年度部门决算.doc" not in out.split("跳过")[1]
    assert main(["--lang", "en", "ingest", "--db", str(tmp_path / "w.duckdb"), str(inbox)]) == 4
    assert "2024年度部门决算.doc,wholefile:encryptedWorddocument:itcannotbeopenedwithoutitspassword" in \
        "".join(capsys.readouterr().out.split())


def test_a_document_is_found_by_every_name_and_show_prefers_the_counted_version(warehouse_db, tmp_path, capsys):
    """LOW-B6: a duplicate's second name finds the document (raw.document_paths); `show` over several versions of
    one report takes the one with a reading at the place, then the counted one, and says which it chose."""
    import shutil

    from warehouse import REPORTS, query

    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse_db, db)
    folder = tmp_path / "more"
    folder.mkdir()
    original = next(REPORTS.glob("004_*.txt"))
    shutil.copy(original, folder / "b_副本.txt")   # the same bytes under another name: a duplicate
    head = original.read_text(encoding="utf-8").splitlines(keepends=True)[:120]
    (folder / "004_前半.txt").write_text("".join(head), encoding="utf-8")   # a copy cut short: another version
    assert main(["--lang", "en", "run", "--db", str(db), "--no-docs", str(folder)]) == 0
    capsys.readouterr()
    assert query(db, "select count(*) from raw.document_paths p join marts.dim_document d using (doc_id) "
                     "where d.source_file = ? and p.source_path like '%b_副本.txt'", [original.name]) == [(1,)]
    assert main(["--lang", "en", "report", "--db", str(db), "b_副本.txt"]) == 0
    out = capsys.readouterr().out
    assert original.name in out and "000_" not in out
    # L17 is read in both versions: the counted one is shown, and the choice is said
    assert main(["--lang", "en", "show", "--db", str(db), "攀枝花", "L17"]) == 0
    out = _one_line(capsys.readouterr().out)
    assert (f"攀枝花 matches 2 documents: showing the version counted in the facts, {original.name} "
            "(also: 004_前半.txt)") in out
    assert f"{original.name} — 攀枝花市西区总工会" in out and 'L17 "273.52万元"' in out
    assert main(["--lang", "en", "show", "--db", str(db), "b_副本", "L17"]) == 0
    assert f"{original.name} — 攀枝花市西区总工会" in capsys.readouterr().out


def test_ingest_prints_per_document_tables_for_a_small_run_or_with_v_only(tmp_path, capsys, monkeypatch):
    """`juesuan ingest` printed a row and a pivot column per document however many it parsed (10,000 columns
    at scale, ≈ 0.9 CPU-ms a document to lay out): past DOCUMENT_TABLES_MAX documents it prints its counts and
    says -v prints the tables; -v prints them."""
    import shutil

    from warehouse import REPORTS

    import juesuan.cli as cli

    inbox = tmp_path / "in"
    inbox.mkdir()
    for report in sorted(REPORTS.glob("00[012]_*.txt")):
        shutil.copy(report, inbox / report.name)
    monkeypatch.setattr(cli, "DOCUMENT_TABLES_MAX", 2)
    assert main(["ingest", "--db", str(tmp_path / "a.duckdb"), str(inbox)]) == 0
    out = capsys.readouterr().out
    assert "读取：3 个文件 — 3 个已解析" in out and "已解析 3 个文档：每个文档的覆盖表用 -v 显示" in out
    assert "已解析的文档" not in out and "覆盖：各类数据条数" not in out
    assert main(["ingest", "-v", "--db", str(tmp_path / "b.duckdb"), str(inbox)]) == 0
    out = capsys.readouterr().out
    assert "已解析的文档" in out and "覆盖：各类数据条数" in out and "001_72f22ccf" in out
    monkeypatch.setattr(cli, "DOCUMENT_TABLES_MAX", 3)
    assert main(["ingest", "--force", "--db", str(tmp_path / "a.duckdb"), str(inbox)]) == 0
    assert "已解析的文档" in capsys.readouterr().out
