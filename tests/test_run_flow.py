"""The run flow (issue 14): a `juesuan run` with nothing new reads no file, reuses the recorded checks and
keeps report.html; one with something new checks again and, at scale, lists only what it read."""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from pathlib import Path

import pytest
from warehouse import copy_corpus, query, replace_on_line, run

import juesuan.cli as cli
import juesuan.dbt
from juesuan.dbt import FINGERPRINT, target_dir
from juesuan.paths import dbt_log_dir, report_html
from juesuan.status import checks_fingerprint, reusable_checks


def _run(*argv) -> tuple[int, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = run("--lang", "en", "run", *argv)
    return code, buffer.getvalue()


def _in_chinese(monkeypatch) -> None:
    """The output language zh for this test (a command run before may have left another), then the default."""
    from juesuan import i18n

    monkeypatch.setattr(i18n, "_lang", "zh")   # the one before is restored after the test


def _english_page(db: Path) -> Path:
    """The report page of an English run (--lang en): its own file beside the Chinese report.html."""
    return report_html(db).with_name("report.en.html")


def _last_stages(db: Path) -> dict:
    return json.loads(query(db, "select stages from raw.runs where command = 'run' order by started_at desc limit 1")[0][0])


def _check_runs(db: Path) -> int:
    return query(db, "select count(distinct run_id) from raw.check_results")[0][0]


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    """One warehouse of the bundled corpus through three runs: the first, one with nothing new, and one
    after a figure of 002 changed — with the output, stages and state after each."""
    root = tmp_path_factory.mktemp("flow")
    standbys: list[Path] = []   # the dbt children started (juesuan.dbt.Standby), counted

    class CountedStandby(juesuan.dbt.Standby):
        def __init__(self, db):
            standbys.append(db)
            super().__init__(db)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(juesuan.dbt, "Standby", CountedStandby)
        files = copy_corpus(root / "reports")
        past = time.time_ns() - 3600 * 10**9
        for f in files.values():
            os.utime(f, ns=(past, past))
        db = root / "w.duckdb"
        out: dict = {"db": db, "files": files}
        out["first"] = _run(root / "reports", "--db", db)
        out["first_stages"], out["first_checks"] = _last_stages(db), _check_runs(db)
        out["report_ns"] = _english_page(db).stat().st_mtime_ns
        out["standbys"] = len(standbys)
        out["noop"] = _run(root / "reports", "--db", db)
        out["noop_stages"], out["noop_checks"] = _last_stages(db), _check_runs(db)
        out["noop_standbys"] = len(standbys)
        out["noop_report_ns"] = _english_page(db).stat().st_mtime_ns
        # a sentence of 002 changes: another document version, rebuilt marts, checks again
        replace_on_line(files["002"], r"年度收入总计", "360.44 万元", "360.44  万元")
        cli_max = cli.RUN_LIST_MAX
        cli.RUN_LIST_MAX = 3   # the warehouse of 5 documents is "at scale"
        try:
            out["changed"] = _run(root / "reports", "--db", db)
        finally:
            cli.RUN_LIST_MAX = cli_max
        out["changed_stages"], out["changed_checks"] = _last_stages(db), _check_runs(db)
        out["changed_report_ns"] = _english_page(db).stat().st_mtime_ns
        out["changed_standbys"] = len(standbys)
        yield out


def test_a_run_with_nothing_new_reads_nothing_reuses_the_checks_and_keeps_the_report(flow):
    code, text = flow["first"]
    assert code == 0 and flow["first_stages"]["check"]["reused"] is False and flow["first_checks"] == 1
    code, text = flow["noop"]
    assert code == 0
    stages = flow["noop_stages"]
    assert stages["ingest"] == {"seconds": stages["ingest"]["seconds"], "cpu_s": stages["ingest"]["cpu_s"], "files": 5,
                                "hashed": 0, "parsed": 0}
    assert all(stages[s]["cpu_s"] >= 0 for s in ("ingest", "build", "check", "report"))
    assert stages["build"]["skipped"] is True and stages["check"]["reused"] is True
    assert flow["noop_checks"] == 1   # no checkpoint ran, none was recorded
    # nor was a dbt child started: juesuan.dbt.Standby waits for a file to parse
    assert (flow["standbys"], flow["noop_standbys"], flow["changed_standbys"]) == (1, 1, 2)
    assert "5 files not read: size and mtime unchanged" in text
    assert "checks: reused from " in text and "integrity 256/256 expectations pass" in text
    assert "identities 30/43 hold everywhere, 27 findings" in text
    assert flow["noop_report_ns"] == flow["report_ns"] and "report (unchanged): " in text
    # 5 documents: the whole list, as the first run printed it
    assert text.count("002_0839a5f4f132fe72.txt") == flow["first"][1].count("002_0839a5f4f132fe72.txt") >= 2


def test_a_run_after_a_change_checks_again_and_at_scale_lists_what_it_read(flow):
    code, text = flow["changed"]
    assert code == 0
    stages = flow["changed_stages"]
    assert (stages["ingest"]["hashed"], stages["ingest"]["parsed"]) == (1, 1)
    assert stages["build"]["skipped"] is False and stages["check"]["reused"] is False
    assert flow["changed_checks"] == 2 and "reused" not in text
    # dbt started during the ingest: the build ran in the process that had parsed the project (juesuan.dbt.Standby)
    log = [json.loads(line) for line in (dbt_log_dir(flow["db"]) / "dbt.log").read_text(encoding="utf-8").splitlines()
           if line.startswith("{")]
    last_pid = log[-1]["info"]["pid"]
    names: dict[str, set[str]] = {}
    for e in log:
        if e["info"]["pid"] == last_pid:
            names.setdefault(e["info"]["invocation_id"], set()).add(e["info"]["name"])
    parse, build = names.values()   # two invocations in that process, in this order
    assert "ParsePerfInfoPath" in parse and "LogModelResult" not in parse
    assert "LogModelResult" in build and "ParsePerfInfoPath" not in build
    assert flow["changed_report_ns"] != flow["report_ns"]
    assert "documents read in this run (1)" in text
    assert "002_0839a5f4f132fe72.txt" in text
    for other in ("000_f1e20d8804268cb6.txt", "001_72f22ccfca140d7b.txt", "003_4f37c1432cabcae1.txt",
                  "004_2979b81a862d526d.txt"):
        assert other not in text
    findings, with_findings = query(flow["db"], "select count(*), count(distinct doc_id) from marts.fct_identity_check "
                                                "where not passed")[0]
    assert f"all documents: 5 (0 unreadable); {with_findings} with findings, {findings} in all" in text


def test_recorded_checks_are_reused_only_for_the_same_fingerprint(flow):
    db = flow["db"]
    fingerprint = checks_fingerprint(db)
    assert fingerprint is not None
    reused = reusable_checks(db, fingerprint, docs=True)
    recorded = query(db, "select suite, expectation, success, unexpected_count from raw.check_results "
                         "where run_id = (select max(run_id) from raw.check_results) order by rowid")
    assert reused.reused and [(o.suite, o.expectation, o.success, o.unexpected_count) for o in reused.outcomes] == recorded
    assert reusable_checks(db, "0" * 64, docs=True) is None
    # a build that failed, was killed or was a --full-refresh leaves no fingerprint: nothing is reused
    record = target_dir(db) / FINGERPRINT
    saved = record.read_bytes()
    record.unlink()
    try:
        assert checks_fingerprint(db) is None and reusable_checks(db, None, docs=False) is None
    finally:
        record.write_bytes(saved)
    assert checks_fingerprint(db) == fingerprint


def test_a_run_that_read_thousands_lists_only_the_documents_to_look_at(warehouse_db, tmp_path, monkeypatch):
    """A first load of thousands of reports: `run` lists those unreadable or with findings, at most
    RUN_LIST_MAX of them, not one table row per document read (a 10,000-row table took 7 CPU-s and filled
    the log); the totals and report.html still cover every document."""
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse_db, db)
    read = [r[0] for r in query(db, "select doc_id from marts.dim_document order by source_file")]
    with_findings = query(db, "select d.source_file from marts.dim_document d where exists (select 1 from "
                              "marts.fct_identity_check c where c.doc_id = d.doc_id and not c.passed) order by 1")
    assert len(read) == 5 and len(with_findings) == 4   # 003 has none
    monkeypatch.setattr(cli, "RUN_LIST_MAX", 2)
    buffer = io.StringIO()
    monkeypatch.setattr(cli, "out", cli._Console(file=buffer, width=200))
    _in_chinese(monkeypatch)
    total = cli.step_run_report(db, read=read, limit=1)
    text = buffer.getvalue()
    assert "本次读取 5 个文档，其中 4 个无法读取或有不符（列出前 2 个）" in text
    listed = [name for (name,) in with_findings if name in text]
    assert listed == [name for (name,) in with_findings[:2]]
    assert f"全部文档：5 个（0 个无法读取）；4 个有不符，共 {total.findings} 处" in text
    assert report_html(db).is_file()


def test_the_report_of_thousands_lists_the_documents_to_look_at_and_the_page_has_all(warehouse_db, tmp_path,
                                                                                    monkeypatch):
    """`juesuan report` over more than RUN_LIST_MAX documents lists those unreadable or with findings (all of
    them), not a row per document; a filter lists every match; the page still has every document."""
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse_db, db)
    monkeypatch.setattr(cli, "RUN_LIST_MAX", 2)
    buffer = io.StringIO()
    monkeypatch.setattr(cli, "out", cli._Console(file=buffer, width=200))
    _in_chinese(monkeypatch)
    docs = cli.step_report(db, limit=1)
    text = buffer.getvalue()
    assert len(docs) == 5 and "5 个文档中无法读取或有不符的 4 个（全部文档见报告页面）" in text
    assert "003_4f37c1432cabcae1.txt" not in text   # no findings
    for name in ("000_f1e20d8804268cb6.txt", "001_72f22ccfca140d7b.txt", "002_0839a5f4f132fe72.txt",
                 "004_2979b81a862d526d.txt"):
        assert name in text
    assert "003_4f37c1432cabcae1.txt" in report_html(db).read_text(encoding="utf-8")
    buffer.truncate(0)
    cli.step_report(db, select=["003"], limit=1)
    assert "003_4f37c1432cabcae1.txt" in buffer.getvalue()


def test_a_run_that_loads_only_failures_or_duplicates_builds_no_fact(flow, tmp_path):
    """LOW-B5: new files that feed no fact — a duplicate (a second path of a loaded report), a file that fails —
    leave the facts as they were: duplicates alone skip dbt, a failure alone builds the document listing
    (juesuan.dbt.LISTING_MODELS) so dim_document shows it, and the checks are reused either way."""
    db = flow["db"]
    facts_before = query(db, "select count(*), sum(amount_wan) from marts.fct_expenditure")
    dup = tmp_path / "dup"
    dup.mkdir()
    (dup / "000_副本.txt").write_bytes(flow["files"]["000"].read_bytes())
    code, text = _run(dup, "--db", db)
    stages = _last_stages(db)
    assert code == 0 and "1 duplicate" in text
    assert (stages["build"]["skipped"], stages["build"]["listing_only"], stages["check"]["reused"]) == (True, False, True)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "空报告.txt").write_bytes(b"")
    code, text = _run(broken, "--db", db)
    stages = _last_stages(db)
    assert code == 4   # a document failed
    assert (stages["build"]["skipped"], stages["build"]["listing_only"], stages["check"]["reused"]) == (False, True, True)
    assert "document listing only: no new file gave figures, the facts are unchanged; " in text
    assert query(db, "select status, counted_in_facts from marts.dim_document where source_file = '空报告.txt'") == \
        [("failed", False)]
    assert query(db, "select count(*), sum(amount_wan) from marts.fct_expenditure") == facts_before
    # the same failure again: nothing new at all
    code, text = _run(broken, "--db", db)
    assert _last_stages(db)["build"]["skipped"] is True
