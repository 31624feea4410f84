"""Detection at scale: does the identity suite find the errors injected into a generated corpus?

    python bench/detection.py --size 50 --errors 20 [--seed 7] [--corpus DIR] [--keep DIR]

Generates a corpus with bench/corpus.py (or reuses --corpus DIR with its manifest.csv), runs the
product end to end (`juesuan run DIR` with JUESUAN_DB on a temporary file), then compares the failed
rows of marts.fct_identity_check with the manifest:

- an injected error is **located** when a failed check of that document cites the changed line
  (`L<line>` in lhs_refs or rhs_refs) — the finding points the auditor at the error; in a PDF corpus
  (manifest column `page`), when it cites the changed figure on the page it is printed on;
- it is **corrected** when the product took the changed figure for a typo and corrected it
  (marts.qa_corrected_readings cites the line: e.g. 万元 printed as 元) — reported, but not as a finding;
- it is **flagged** when the document has a failed check among the manifest's expected checks,
  whatever lines it cites (found, but not where the error is);
- otherwise it is **missed**; for each miss the script says whether the changed figure was read
  at all (raw observations on that line) or left in qa_rejects.

False alarms are failed checks on documents without an injected error. A clean document whose
unit's previous report carries an injected error can legitimately fail a YoY check against that
report; those are counted apart as knock-on findings.

Writes bench/results/<date>-detection-<size>.json and prints markdown tables. Exit code 0 unless
the product itself fails to run (exit code other than 0 or 4).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from corpus import ERROR_KINDS, LAYOUTS, PDF_LAYOUTS, generate_corpus, pdf_style  # noqa: E402

_REF = re.compile(r"\bL(\d+)\b")
_PAGE = re.compile(r"\bp(\d+)\b")


def run_product(corpus: Path, db: Path) -> tuple[int, float, str]:
    """`juesuan run corpus` with JUESUAN_DB=db; returns (exit code, seconds, output)."""
    env = dict(os.environ, JUESUAN_DB=str(db))
    t = time.perf_counter()
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "juesuan"), "run", str(corpus)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    return proc.returncode, time.perf_counter() - t, proc.stdout + proc.stderr


def findings(db: Path) -> tuple[dict[str, list[dict]], dict[str, dict], dict[str, set[int]], dict[str, set[int]],
                                dict[str, dict[int, str]]]:
    """Failed checks per source_file, document rows per source_file, lines with observations,
    lines with rejects, and corrected readings (line, or "p<page>" in a PDF → correction) per source_file."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        fails: dict[str, list[dict]] = defaultdict(list)
        q = """select d.source_file, c.check_name, c.check_family, c.subject, c.lhs, c.rhs, c.lhs_refs, c.rhs_refs
               from marts.fct_identity_check c join marts.dim_document d using (doc_id) where not c.passed"""
        cols = ["source_file", "check_name", "check_family", "subject", "lhs", "rhs", "lhs_refs", "rhs_refs"]
        for row in con.execute(q).fetchall():
            r = dict(zip(cols, row))
            r["lhs"], r["rhs"] = str(r["lhs"]), str(r["rhs"])
            fails[r["source_file"]].append(r)
        docs = {}
        for source_file, status, counted, facts, rejects in con.execute(
                "select source_file, status, counted_in_facts, fact_count, reject_count from marts.dim_document").fetchall():
            docs[source_file] = {"status": status, "counted_in_facts": counted, "facts": facts, "rejects": rejects}
        seen: dict[str, set[int]] = defaultdict(set)
        for source_file, line_no in con.execute(
                "select distinct d.source_file, o.line_no from raw.observations o join marts.dim_document d using (doc_id)"
        ).fetchall():
            seen[source_file].add(line_no)
        rejected: dict[str, set[int]] = defaultdict(set)
        for source_file, line_no in con.execute(
                "select distinct d.source_file, r.line_no from raw.rejects r join marts.dim_document d using (doc_id)"
        ).fetchall():
            rejected[source_file].add(line_no)
        corrected: dict[str, dict[int, str]] = defaultdict(dict)
        for source_file, line_no, source_ref, correction in con.execute(
                "select source_file, line_no, source_ref, correction from marts.qa_corrected_readings").fetchall():
            page = _PAGE.match(source_ref or "")
            corrected[source_file][f"p{page.group(1)}" if page else line_no] = correction  # a PDF: by page
        return fails, docs, seen, rejected, corrected
    finally:
        con.close()


_FIGURE_TEXT = re.compile(r"\d[\d,]*(?:\.\d+)? ?(?:万元|元|%)?")


def _injected_figure(m: dict) -> str:
    """The figure the injection changed, as printed with its unit (the first figure that differs between the
    original and the injected line: "24.21", or "47.14 元" for a unit slip): a PDF finding is located when it
    cites this figure on the manifest's page."""
    for old, new in zip(_FIGURE_TEXT.findall(m["original"]), _FIGURE_TEXT.findall(m["injected"])):
        if old != new:
            return new
    return m["injected"]


def evaluate(manifest: list[dict], fails: dict[str, list[dict]], docs: dict[str, dict],
             seen: dict[str, set[int]], rejected: dict[str, set[int]], corrected: dict[str, dict[int, str]]) -> dict:
    """Recall per kind and false alarms (see the module docstring). Pure function of its inputs."""
    per_error = []
    for m in manifest:
        line = int(m["line"])
        page = int(m["page"]) if m.get("page") else None  # a PDF: the page the changed line is printed on
        expected = set(m["expected_checks"].split("|"))
        doc_fails = fails.get(m["file"], [])
        if page is None:
            located = [f for f in doc_fails if line in {int(x) for x in _REF.findall(f"{f['lhs_refs']} {f['rhs_refs']}")}]
        else:
            located = [f for f in doc_fails if page in {int(x) for x in _PAGE.findall(f"{f['lhs_refs']} {f['rhs_refs']}")}
                       and _injected_figure(m) in f"{f['lhs_refs']} {f['rhs_refs']}"]
        flagged = [f for f in doc_fails if f["check_name"] in expected]
        correction = corrected.get(m["file"], {}).get(line if page is None else f"p{page}")
        if located:
            outcome = "located"
        elif correction:
            outcome = "corrected"
        elif flagged:
            outcome = "flagged"
        else:
            outcome = "missed"
        per_error.append({**m, "outcome": outcome,
                          "located_by": sorted({f["check_name"] for f in located}),
                          "flagged_by": sorted({f["check_name"] for f in flagged}),
                          "correction": correction,
                          "doc_findings": len(doc_fails),
                          "doc_status": docs.get(m["file"], {}).get("status", "not loaded"),
                          "line_read": line in seen.get(m["file"], set()) if page is None else None,
                          "line_rejected": line in rejected.get(m["file"], set()) if page is None else None})
    by_kind = {}
    for kind in ERROR_KINDS:
        rows = [e for e in per_error if e["kind"] == kind]
        c = Counter(e["outcome"] for e in rows)
        by_kind[kind] = {"injected": len(rows), "located": c["located"], "corrected": c["corrected"],
                         "flagged": c["flagged"], "missed": c["missed"]}
    erroneous = {m["file"] for m in manifest}
    # a clean report whose unit's previous report carries an error (YoY against it can fire)
    by_unit = defaultdict(dict)
    for name in docs:
        parts = name.split("_")
        if len(parts) >= 3 and parts[1].isdigit():
            by_unit[parts[2]][int(parts[1])] = name
    prior_bad = set()
    for years in by_unit.values():
        for y, name in years.items():
            if years.get(y - 1) in erroneous:
                prior_bad.add(name)
    clean = [name for name in docs if name not in erroneous]
    false_alarms, knock_on = Counter(), Counter()
    docs_with_false_alarm = set()
    examples = []
    for name in clean:
        for f in fails.get(name, []):
            if name in prior_bad and f["check_family"] == "yoy":
                knock_on[f["check_name"]] += 1
                continue
            false_alarms[f["check_name"]] += 1
            docs_with_false_alarm.add(name)
            if len(examples) < 12:
                examples.append({"file": name, **{k: f[k] for k in ("check_name", "subject", "lhs", "rhs", "lhs_refs", "rhs_refs")}})
    def layout(name: str) -> str:  # the generator assigns layouts round-robin by report number
        head = name.split("_", 1)[0]
        if not head.isdigit():
            return "?"
        if name.endswith(".pdf"):
            return f"{PDF_LAYOUTS[int(head) % len(PDF_LAYOUTS)]}/{pdf_style(name)}"
        return LAYOUTS[int(head) % len(LAYOUTS)]

    clean_by_layout = Counter(layout(n) for n in clean)
    alarm_by_layout = Counter(layout(n) for n in docs_with_false_alarm)
    n = len(per_error)
    return {
        "errors": n,
        "located": sum(e["outcome"] == "located" for e in per_error),
        "corrected": sum(e["outcome"] == "corrected" for e in per_error),
        "flagged": sum(e["outcome"] == "flagged" for e in per_error),
        "missed": sum(e["outcome"] == "missed" for e in per_error),
        "recall_located": round(sum(e["outcome"] == "located" for e in per_error) / n, 3) if n else None,
        "recall_any": round(sum(e["outcome"] != "missed" for e in per_error) / n, 3) if n else None,
        "by_kind": by_kind,
        "clean_docs": len(clean),
        "clean_docs_with_false_alarm": len(docs_with_false_alarm),
        "false_alarms": sum(false_alarms.values()),
        "false_alarms_by_check": dict(false_alarms.most_common()),
        "clean_docs_with_false_alarm_by_layout": {k: f"{alarm_by_layout[k]}/{clean_by_layout[k]}"
                                                  for k in sorted(clean_by_layout)},
        "knock_on_yoy_findings": dict(knock_on),
        "false_alarm_examples": examples,
        "per_error": per_error,
    }


def markdown(res: dict) -> str:
    out = ["| kind | injected | located (a failed check cites the line) | corrected (qa_corrected_readings, no finding) "
           "| flagged (expected check fails, other lines) | missed |",
           "|---|---|---|---|---|---|"]
    for kind, r in res["by_kind"].items():
        out.append(f"| {kind} | {r['injected']} | {r['located']} | {r['corrected']} | {r['flagged']} | {r['missed']} |")
    out.append(f"| **all** | {res['errors']} | {res['located']} | {res['corrected']} | {res['flagged']} | {res['missed']} |")
    out.append("")
    out.append(f"False alarms: {res['false_alarms']} failed checks on {res['clean_docs_with_false_alarm']} of "
               f"{res['clean_docs']} clean reports; by check: "
               + (", ".join(f"{k} {v}" for k, v in res["false_alarms_by_check"].items()) or "none")
               + "; clean reports with a false alarm, by layout: "
               + ", ".join(f"{k} {v}" for k, v in res["clean_docs_with_false_alarm_by_layout"].items())
               + (f"; knock-on YoY findings (prior report carries an error): {res['knock_on_yoy_findings']}"
                  if res["knock_on_yoy_findings"] else ""))
    misses = [e for e in res["per_error"] if e["outcome"] != "located"]
    if misses:
        out += ["", "| file | kind | line | outcome | figure read? | in qa rejects? | checks failing in the doc |", "|---|---|---|---|---|---|---|"]
        for e in misses:
            outcome = e["outcome"] + (f" ({e['correction']})" if e.get("correction") else "")
            read, rejected = ({None: "—", True: "yes", False: "no"}[e[k]] for k in ("line_read", "line_rejected"))
            where = e["line"] + (f" (p{e['page']})" if e.get("page") else "")
            out.append(f"| {e['file']} | {e['kind']} | {where} | {outcome} | {read} | {rejected} | "
                       f"{', '.join(e['flagged_by']) or e['doc_findings']} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=50)
    ap.add_argument("--errors", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--corpus", type=Path, help="reuse this corpus (DIR/reports, DIR/manifest.csv) instead of generating")
    ap.add_argument("--keep", type=Path, help="keep corpus and warehouse in this folder")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--format", choices=("txt", "pdf"), default="txt", help="generate text reports or PDFs")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="juesuan-detect-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        corpus = args.corpus or work / "corpus"
        if args.corpus is None:
            generate_corpus(corpus, args.size, args.errors, args.seed, fmt=args.format)
        manifest_path = corpus / "manifest.csv"
        manifest = list(csv.DictReader(manifest_path.open(encoding="utf-8"))) if manifest_path.exists() else []
        db = work / "detect.duckdb"
        for old in work.glob("detect.duckdb*"):  # always a fresh warehouse
            old.unlink()
        code, seconds, output = run_product(corpus / "reports", db)
        if code not in (0, 4):
            print(output[-3000:], file=sys.stderr)
            print(f"juesuan run failed with exit code {code}", file=sys.stderr)
            return 1
        res = evaluate(manifest, *findings(db))
        files = [f for f in (corpus / "reports").iterdir() if f.suffix in (".txt", ".pdf")]  # before tmp goes
    fmt = "pdf" if any(f.suffix == ".pdf" for f in files) else "txt"
    size = len(files) if args.keep or args.corpus else args.size
    res = {"date": dt.date.today().isoformat(), "size": size, "format": fmt, "seed": args.seed,
           "run_seconds": round(seconds, 1), "run_exit_code": code, **res}
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{res['date']}-detection-{size}{'-pdf' if fmt == 'pdf' else ''}.json"
    path.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"detection on {size} generated {fmt} reports, {res['errors']} injected errors (seed {args.seed}); "
          f"run {seconds:.0f}s")
    print(markdown(res))
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
