"""Change detection without reading unchanged files (issue 14, the run flow): a file whose path, size and
mtime are those recorded when its bytes were last hashed is known by its stat; anything else is read and
hashed as before.  The known limit (same size, same mtime, other bytes) and --checksum are tested too."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from conftest import REPORTS

from ingest.parse import content_id
from ingest.pipeline import RACY_NS, FileStats, discover, ingest_paths


def _age(path: Path, seconds_ago: int) -> int:
    """Give a file an mtime in the past (past the racy window); returns it in ns."""
    mtime_ns = time.time_ns() - seconds_ago * 10**9
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return mtime_ns


def _same_size_edit(path: Path) -> bytes:
    """Other bytes of the same length: the last ASCII digit of the file changed to another digit."""
    data = bytearray(path.read_bytes())
    i = max(k for k, b in enumerate(data) if 48 <= b <= 57)
    data[i] = 48 + (data[i] - 48 + 1) % 10
    return bytes(data)


@pytest.fixture()
def corpus(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "reports"
    folder.mkdir()
    out = {}
    for key in ("002", "004"):
        src = next(REPORTS.glob(f"{key}_*.txt"))
        out[key] = Path(shutil.copy(src, folder / src.name))
        _age(out[key], 3600)
    return out


def _doc_ids(db: str) -> dict[str, str]:
    con = duckdb.connect(db, read_only=True)
    try:
        return dict(con.execute("select source_file, doc_id from raw.documents where is_current").fetchall())
    finally:
        con.close()


def test_an_unchanged_file_is_known_by_its_stat_and_not_read(corpus, tmp_path, monkeypatch):
    db = str(tmp_path / "w.duckdb")
    first = ingest_paths([corpus["002"].parent], db, workers=1)
    assert (first.parsed, first.hashed) == (2, 2)
    # a second run reads no file: hashing is made impossible, and nothing needs it
    import ingest.pipeline as pipeline

    def no_hash(data):
        raise AssertionError("an unchanged file was read and hashed")

    monkeypatch.setattr(pipeline, "content_id", no_hash)
    again = ingest_paths([corpus["002"].parent], db, workers=1)
    assert (again.files_seen, again.parsed, again.unchanged, again.hashed, again.failed) == (2, 0, 2, 0, 0)
    con = duckdb.connect(db, read_only=True)
    try:
        assert con.execute("select hashed, unchanged from raw.ingest_runs order by started_at desc limit 1").fetchone() \
            == (0, 2)
        recorded = dict(con.execute("select source_path, doc_id from raw.file_stats").fetchall())
    finally:
        con.close()
    assert recorded == {str(p): content_id(p.read_bytes()) for p in corpus.values()}


def test_a_touched_file_is_hashed_again_and_not_parsed(corpus, tmp_path):
    db = str(tmp_path / "w.duckdb")
    ingest_paths([corpus["002"].parent], db, workers=1)
    _age(corpus["004"], 1800)   # new mtime, same bytes
    again = ingest_paths([corpus["002"].parent], db, workers=1)
    assert (again.parsed, again.unchanged, again.hashed) == (0, 2, 1)
    third = ingest_paths([corpus["002"].parent], db, workers=1)   # the new mtime was recorded
    assert (third.unchanged, third.hashed) == (2, 0)


def test_changed_bytes_of_the_same_size_with_a_new_mtime_are_parsed(corpus, tmp_path):
    db = str(tmp_path / "w.duckdb")
    ingest_paths([corpus["002"].parent], db, workers=1)
    old_id = _doc_ids(db)[corpus["004"].name]
    edited = _same_size_edit(corpus["004"])
    assert len(edited) == corpus["004"].stat().st_size
    corpus["004"].write_bytes(edited)
    _age(corpus["004"], 60)
    again = ingest_paths([corpus["002"].parent], db, workers=1)
    assert (again.parsed, again.superseded, again.unchanged, again.hashed) == (1, 1, 1, 1)
    assert _doc_ids(db)[corpus["004"].name] == content_id(edited) != old_id


def test_same_size_and_mtime_is_the_known_limit_and_checksum_reads_everything(corpus, tmp_path):
    db = str(tmp_path / "w.duckdb")
    ingest_paths([corpus["002"].parent], db, workers=1)
    old_id = _doc_ids(db)[corpus["004"].name]
    st = corpus["004"].stat()
    edited = _same_size_edit(corpus["004"])
    corpus["004"].write_bytes(edited)
    os.utime(corpus["004"], ns=(st.st_atime_ns, st.st_mtime_ns))   # the old mtime given back (touch -d, cp -p)
    quick = ingest_paths([corpus["002"].parent], db, workers=1)
    assert (quick.parsed, quick.unchanged, quick.hashed) == (0, 2, 0)
    assert _doc_ids(db)[corpus["004"].name] == old_id   # the edit is not seen: rsync's and make's limit
    full = ingest_paths([corpus["002"].parent], db, workers=1, checksum=True)
    assert (full.parsed, full.superseded, full.unchanged, full.hashed) == (1, 1, 1, 2)
    assert _doc_ids(db)[corpus["004"].name] == content_id(edited)


def test_a_file_hashed_right_after_it_was_written_is_not_trusted_by_its_stat(tmp_path):
    """Racily clean (git's rule): written again within the same mtime tick after it was hashed, a file
    would keep its size and mtime; so a stat recorded less than RACY_NS after the mtime is not trusted."""
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema raw; create table raw.file_stats (source_path varchar primary key, size_bytes bigint, "
                "mtime_ns bigint, doc_id varchar, hashed_at_ns bigint)")
    f = tmp_path / "a.txt"
    f.write_text("x")
    st = f.stat()
    stats = FileStats(con)
    stats.hashed(str(f), st, "fresh", st.st_mtime_ns + RACY_NS // 2)
    stats.hashed(str(tmp_path / "old.txt"), st, "settled", st.st_mtime_ns + RACY_NS)
    stats.save(con)
    reread = FileStats(con)
    assert reread.known(str(f), st) is None
    assert reread.known(str(tmp_path / "old.txt"), st) == "settled"
    assert FileStats(con, enabled=False).known(str(tmp_path / "old.txt"), st) is None
    con.close()


def test_a_warehouse_from_before_file_stats_keeps_working(corpus, tmp_path):
    db = str(tmp_path / "w.duckdb")
    ingest_paths([corpus["002"].parent], db, workers=1)
    con = duckdb.connect(db)
    con.execute("drop table raw.file_stats")
    con.execute("alter table raw.ingest_runs drop column hashed")
    con.close()
    again = ingest_paths([corpus["002"].parent], db, workers=1)   # read and hashed once more, then known
    assert (again.parsed, again.unchanged, again.hashed) == (0, 2, 2)
    assert ingest_paths([corpus["002"].parent], db, workers=1).hashed == 0


def test_discovery_walks_once_skipping_hidden_and_linked_folders(tmp_path):
    root = tmp_path / "in"
    (root / "a" / "b").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "a" / "b" / "x.txt").write_text("1")
    (root / "a" / "y.TXT").write_text("2")
    (root / ".git" / "z.txt").write_text("3")
    (root / "a" / ".hidden.txt").write_text("4")
    (root / "scan.png").write_bytes(b"\x89PNG")
    (root / "README.md").write_text("5")
    (root / "link.txt").symlink_to(root / "a" / "y.TXT")     # the same file twice: once
    (root / "linked").symlink_to(root / "a", target_is_directory=True)   # not walked, as Path.rglob
    files, skipped = discover([root, root / "a" / "b" / "x.txt"])
    assert files == [root / "a" / "b" / "x.txt", root / "a" / "y.TXT"]
    assert {(Path(s.path).name, s.reason.split(" (")[0]) for s in skipped} == {
        ("scan.png", "not a report format"), ("README.md", "not a report: a documentation or packaging file by its name")}


def test_a_file_that_still_fails_is_reported_again_and_changes_nothing(corpus, tmp_path):
    """A failure recorded exactly so is not written again: raw.documents (what dbt's build fingerprint hashes)
    stays the same, so a run whose only news is a still-broken file leaves the build and checks skipped."""
    db = str(tmp_path / "w.duckdb")
    (corpus["002"].parent / "empty.txt").write_bytes(b"")
    first = ingest_paths([corpus["002"].parent], db, workers=1)
    assert (first.parsed, first.failed) == (2, 1)

    def documents():
        con = duckdb.connect(db, read_only=True)
        try:
            return con.execute("select * from raw.documents order by doc_id").fetchall()
        finally:
            con.close()

    before = documents()
    again = ingest_paths([corpus["002"].parent], db, workers=1)
    assert (again.parsed, again.unchanged, again.failed) == (0, 2, 1)
    assert [(f.message, f.place) for f in again.failures] == [(f.message, f.place) for f in first.failures]
    assert documents() == before
