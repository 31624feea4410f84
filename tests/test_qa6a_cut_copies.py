"""A copy cut short of a loaded report (ingest.truncation.cut_copies) never replaces the complete version.

The cuts are those of an interrupted copy or download: the first bytes of a bundled report, ending at a paragraph
boundary (so no table-based cut-short signal fires).  The complete version stays current and counting; the copy
is partial, naming the version and the places where it stops and where that version goes on.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest
from conftest import SEEDS

from ingest.pipeline import ingest_paths

# 001's first 30,000 bytes end at the end of L174, a paragraph of prose: its last figure is at L145, and the
# complete report goes on with 171 more from L177 (269 figures in all)
CUT_001 = 30000


def _docs(db: str) -> list[tuple]:
    with duckdb.connect(db, read_only=True) as con:
        return con.execute("SELECT doc_id, source_file, status, is_current, observation_count, cut_short_of, error, "
                           "error_place, superseded_by FROM raw.documents ORDER BY ingested_at, doc_id").fetchall()


def test_a_cut_copy_over_a_loaded_report_sits_beside_it_and_the_complete_file_back_replaces_it(tmp_path):
    db, folder = str(tmp_path / "w.duckdb"), tmp_path / "in"
    folder.mkdir()
    path = folder / "a.txt"
    shutil.copy(SEEDS["001"], path)
    ingest_paths([folder], db)
    [(full, *_)] = _docs(db)

    path.write_bytes(SEEDS["001"].read_bytes()[:CUT_001])
    summary = ingest_paths([folder], db)
    assert (summary.parsed, summary.superseded, summary.failed) == (1, 0, 0)
    [doc] = summary.documents
    assert doc["status"] == "partial"
    message = ("the document is cut short: its 98 figures are the beginning of a.txt "
               f"(doc_id {full[:16]}), printed at the same places up to L145, and that version goes on with 171 more "
               "from L177")
    assert doc["issues"][-1] == message
    (_, _, status0, current0, n0, cut0, _, _, _), (cut, name, status, current, n, of, error, place, _) = _docs(db)
    assert (status0, current0, n0, cut0) == ("ok", True, 269, None)   # the complete version stays, whole
    assert (name, status, current, n, of, error, place) == ("a.txt", "partial", True, 98, full, message, "L145")
    with duckdb.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.observations WHERE doc_id = ?", [full]).fetchone() == (269,)
        assert con.execute("SELECT severity, place, message FROM raw.parse_issues WHERE doc_id = ?",
                           [cut]).fetchall() == [("error", "L145", message)]

    # the complete file back at its path: the cut copy is history (superseded by it), as a failure would be
    shutil.copy(SEEDS["001"], path)
    summary = ingest_paths([folder], db)
    assert (summary.parsed, summary.unchanged) == (0, 1)
    assert [(d[0], d[2], d[3], d[8]) for d in _docs(db)] == [(full, "ok", True, None),
                                                             (cut, "superseded", False, full)]


def test_a_cut_copy_under_another_name_is_partial_in_the_same_batch_too(tmp_path):
    db, folder = str(tmp_path / "w.duckdb"), tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS["001"], folder / "001.txt")
    (folder / "001_cut.txt").write_bytes(SEEDS["001"].read_bytes()[:CUT_001])
    ingest_paths([folder], db)
    docs = {d[1]: d for d in _docs(db)}
    assert docs["001.txt"][2:6] == ("ok", True, 269, None)
    assert docs["001_cut.txt"][2:6] == ("partial", True, 98, docs["001.txt"][0])
    assert docs["001_cut.txt"][7] == "L145"


@pytest.mark.parametrize("change", ["lost_prose_only", "changed_figure"])
def test_a_version_that_keeps_every_figure_or_changes_one_is_no_cut_copy(tmp_path, change):
    """002 without its last fifth (prose after its last figure) has the same figures; its first 55 % with one
    figure changed (L104 381.14 → 381.15) prints another figure at a place: neither is marked a cut copy."""
    db, folder = str(tmp_path / "w.duckdb"), tmp_path / "in"
    folder.mkdir()
    text = SEEDS["002"].read_bytes()
    shutil.copy(SEEDS["002"], folder / "002.txt")
    if change == "lost_prose_only":
        other = text[:len(text) * 80 // 100]
        other = other[:other.rindex(b"\n") + 1]
    else:   # the first 55 % (a cut copy when unchanged) with 2022's 本年支出合计 of L104 corrected
        other = text[:len(text) * 55 // 100]
        other = other[:other.rindex(b"\n") + 1]
        assert other.count("本年支出合计 381.14 万元".encode()) == 1
        other = other.replace("本年支出合计 381.14 万元".encode(), "本年支出合计 381.15 万元".encode())
    (folder / "002_other.txt").write_bytes(other)
    ingest_paths([folder], db)
    docs = {d[1]: d for d in _docs(db)}
    assert docs["002_other.txt"][5] is None and docs["002.txt"][5] is None
    if change == "lost_prose_only":
        assert docs["002_other.txt"][2:5] == ("ok", True, 205) == docs["002.txt"][2:5]


def test_a_run_over_a_cut_copy_keeps_the_complete_report_s_facts(tmp_path):
    """README: a bad copy over a loaded report never removes the loaded version.  The run over the cut copy exits 0;
    the complete 001 still counts with its 106 facts, the copy is listed beside it (same path) as partial and
    shadowed, and the integrity suite passes (two current versions of one path are a cut copy and its original)."""
    from warehouse import query, run

    db, folder = tmp_path / "w.duckdb", tmp_path / "in"
    folder.mkdir()
    path = folder / "a.txt"
    shutil.copy(SEEDS["001"], path)
    ingest_paths([folder], str(db))
    path.write_bytes(SEEDS["001"].read_bytes()[:CUT_001])
    assert run("--lang", "en", "run", "--db", db, "--no-docs", folder) == 0
    rows = query(db, "select status, counted_in_facts, fact_count, cut_short_of is not null, exclusion_reason "
                     "from marts.dim_document where source_path = ? order by status", [str(path)])
    [(full,)] = query(db, "select doc_id from marts.dim_document where status = 'ok'")
    assert rows == [("ok", True, 106, False, None),
                    ("partial", False, 0, True, "another version of this unit-year counts — incomplete: a copy cut "
                                                f"short of doc_id {full[:16]}")]
    assert query(db, "select count(*) from marts.fct_revenue where doc_id = ?", [full]) != [(0,)]
