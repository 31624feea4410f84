"""Several documents per worker task (pipeline.TASK_DOCS): how a chunk is grouped into tasks, and a document at
fault that shares its task with good ones — over the time budget, its worker ended abruptly, a parser bug, over
the memory budget — failing alone with the reason it has alone, while the others load, in input order."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEEDS

from ingest import pipeline

KB = 1024


def _chunk(tmp_path: Path, sizes: list[int | None]) -> list[tuple[str, str]]:
    """(path, doc_id) of files of these sizes (sparse); None: a file that does not exist."""
    chunk = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"f{i:02d}.txt"
        if size is not None:
            with open(path, "wb") as f:
                f.truncate(size)
        chunk.append((str(path), f"id{i}"))
    return chunk


def test_tasks_are_grouped_by_count_bytes_and_workers(tmp_path):
    assert pipeline.TASK_DOCS == 8 and pipeline.TASK_BYTES == 512 * KB
    small = _chunk(tmp_path, [20 * KB] * 200)
    # a full chunk: TASK_DOCS a task, in order
    assert pipeline._tasks(small, 2) == [list(range(i, i + 8)) for i in range(0, 200, 8)]
    # a small run spreads over every worker: at most a 2·workers-th of the chunk a task
    assert pipeline._tasks(small[:20], 2) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14],
                                              [15, 16, 17, 18, 19]]
    assert pipeline._tasks(small[:10], 2) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert pipeline._tasks(small[:3], 2) == [[0], [1], [2]]
    assert pipeline._tasks(small[:1], 2) == [[0]]
    assert pipeline._tasks(small[:10], 1) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert pipeline._tasks([], 2) == []
    # TASK_BYTES of files a task; a larger file, or one that cannot be stat'ed, alone
    (tmp_path / "b").mkdir()
    sized = _chunk(tmp_path / "b", [300 * KB, 300 * KB, 100 * KB, 600 * KB, None, 10 * KB, 10 * KB] + [KB] * 30)
    assert pipeline._tasks(sized, 2)[:5] == [[0], [1, 2], [3], [4], [5, 6, 7, 8, 9, 10, 11, 12]]


def test_the_document_at_fault_fails_alone_in_a_task_of_good_documents(tmp_path, monkeypatch):
    try:
        import resource
    except ImportError:   # Windows: no memory budget
        resource = None
    memory = hasattr(resource, "RLIMIT_AS")
    folder = tmp_path / "in"
    folder.mkdir()
    culprits = {1: "slow", 5: "exit", 9: "bug"} | ({13: "huge"} if memory else {})
    names = []
    for i in range(15):
        name = f"t{i:02d}_{culprits.get(i, 'good')}.txt"
        names.append(name)
        seed = SEEDS["004" if i % 2 else "002"]
        data = seed.read_bytes() + f"\n副本 {i}\n".encode()   # a distinct document each
        if culprits.get(i) == "huge":
            line = "一般公共预算财政拨款支出决算为123.45万元，比上年增加1.2万元。\n"
            data = ("2024年度部门决算\n" + line * 100_000).encode()   # 8.8 MB: over 30 MB of memory to parse
        (folder / name).write_bytes(data)
    monkeypatch.setenv("JUESUAN_DOC_TIMEOUT", "3")
    monkeypatch.setenv("JUESUAN_DOC_MEMORY_MB", "30")
    monkeypatch.setenv("JUESUAN_TEST_PARSE_DELAY", "60:*_slow.txt")
    monkeypatch.setenv("JUESUAN_TEST_PARSE_FAULT", "exit:*_exit.txt;raise:*_bug.txt")
    monkeypatch.setattr(pipeline, "TASK_BYTES", 64 * 1024 * 1024)   # the 8.8 MB file shares a task too
    tasks: list[list[str]] = []
    schedule = pipeline._Workers.schedule

    def spy(self, paths):
        tasks.append([Path(p).name for p in paths])
        return schedule(self, paths)

    monkeypatch.setattr(pipeline._Workers, "schedule", spy)
    advanced = []

    class Bar:
        def advance(self):
            advanced.append(1)

        def close(self):
            pass

    monkeypatch.setattr(pipeline, "_progress", lambda total, enabled: Bar())
    summary = pipeline.ingest_paths([folder], str(tmp_path / "w.duckdb"), workers=2)
    # the first tasks: four documents each (15 over 2 workers), every culprit with good documents
    assert tasks[:4] == [names[0:4], names[4:8], names[8:12], names[12:15]]
    # then each document of a task that failed as a whole (and the one over the memory budget) alone
    again = sorted(n for t in tasks[4:] for n in t)
    assert all(len(t) == 1 for t in tasks[4:])
    assert again == sorted(names[0:4] + names[4:8] + (["t13_huge.txt"] if memory else []))
    expected = [("t01_slow.txt", "whole file",
                 "over the time budget of 3s per document (JUESUAN_DOC_TIMEOUT); its parser was stopped"),
                ("t05_exit.txt", "whole file",
                 "the parsing process ended abruptly (exit code 70), e.g. over the memory budget of 30 MB"),
                ("t09_bug.txt", "pipeline.py", "parser error RuntimeError: test fault in t09_bug.txt")]
    if memory:
        expected.append(("t13_huge.txt", "whole file",
                         "over the memory budget of 30 MB per document (JUESUAN_DOC_MEMORY_MB)"))
    assert [(Path(f.path).name, f.place.split(":")[0], f.message) for f in summary.failures] == expected
    good = [n for i, n in enumerate(names) if i not in culprits]
    assert [Path(d["path"]).name for d in summary.documents] == good   # input order
    assert (summary.parsed, summary.failed, len(advanced)) == (len(good), len(expected), 15)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_of_one_to_ten_files_uses_every_worker(tmp_path, workers):
    chunk = _chunk(tmp_path, [20 * KB] * 10)
    for n in range(1, 11):
        tasks = pipeline._tasks(chunk[:n], workers)
        assert [i for t in tasks for i in t] == list(range(n))
        assert len(tasks) >= min(n, workers) and max(map(len, tasks)) == -(-n // (2 * workers))
