"""Behaviour guard for speed work: ingest files into a fresh warehouse and dump every raw row.

    python bench/raw_snapshot.py OUT.json PATH…                 # write the dump
    python bench/raw_snapshot.py OUT.json PATH… --base BASE.json  # … and compare: exit 1 on any difference

Every row of every raw table except the columns that change from run to run (times, run ids, parse
time) is written, sorted, as text.  A change meant only to make ingest faster must leave the dump
identical (every figure, ref, reject and issue).  Run it with another checkout's code from that
checkout's folder (the code imported is the one under the current directory).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.getcwd())

VOLATILE = {"ingested_at", "run_id", "parse_ms", "first_seen", "started_at", "finished_at", "hashed_at_ns"}


def dump(paths: list[Path]) -> dict:
    """{"summary": [...], table: {"cols": [...], "rows": [[text…]…]}} of a fresh ingest of ``paths``."""
    from ingest.load import connect
    from ingest.pipeline import ingest_paths

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "s.duckdb")
        s = ingest_paths(paths, db, workers=2)
        con = connect(db, read_only=True)
        out: dict = {"summary": [s.parsed, s.failed, s.duplicates, s.unchanged, s.superseded,
                                 sorted([f.path, f.message, f.place] for f in s.failures)]}
        tables = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' "
                             "ORDER BY 1").fetchall()
        for (t,) in tables:
            cols = [c for (c,) in con.execute("SELECT column_name FROM information_schema.columns WHERE "
                                              "table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position",
                                              [t]).fetchall() if c not in VOLATILE]
            rows = con.execute(f"SELECT {', '.join(cols)} FROM raw.{t} ORDER BY ALL").fetchall()
            out[t] = {"cols": cols, "rows": [[None if v is None else str(v) for v in r] for r in rows]}
        con.close()
    return out


def _without_volatile(table: dict) -> dict:
    """A dumped table less its VOLATILE columns (a dump written before a column was declared volatile)."""
    keep = [i for i, c in enumerate(table["cols"]) if c not in VOLATILE]
    if len(keep) == len(table["cols"]):
        return table
    return {"cols": [table["cols"][i] for i in keep], "rows": sorted(([r[i] for i in keep] for r in table["rows"]),
                                                                 key=lambda r: [(v is None, v or "") for v in r])}


def compare(base: dict, new: dict) -> int:
    """Print the differences (first rows removed/added per table); the number of tables that differ."""
    base, new = ({k: v if k == "summary" else _without_volatile(v) for k, v in d.items()} for d in (base, new))
    bad = 0
    for k in sorted(set(base) | set(new)):
        if base.get(k) == new.get(k):
            continue
        bad += 1
        print("DIFF in", k)
        if k == "summary" or k not in base or k not in new:
            print("  base", str(base.get(k))[:300], "\n  new ", str(new.get(k))[:300])
            continue
        b, n = set(map(tuple, base[k]["rows"])), set(map(tuple, new[k]["rows"]))
        if base[k]["cols"] != new[k]["cols"]:
            print("  columns differ")
        for r in sorted(b - n, key=str)[:5]:
            print("  -", r)
        for r in sorted(n - b, key=str)[:5]:
            print("  +", r)
        print(f"  {len(b - n)} rows only in base, {len(n - b)} only in new")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--base", type=Path, help="an earlier dump to compare with")
    args = ap.parse_args()
    new = dump(args.paths)
    args.out.write_text(json.dumps(new, ensure_ascii=False), encoding="utf-8")
    print("rows:", {k: len(v["rows"]) for k, v in new.items() if k != "summary"})
    if args.base:
        bad = compare(json.loads(args.base.read_text(encoding="utf-8")), new)
        print("IDENTICAL" if not bad else f"{bad} tables differ")
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
