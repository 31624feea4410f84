"""Regenerate seeds/admin_divisions.csv from the division table shipped with cpca.

cpca resolves unit names to adcodes at ingest; this seed gives the warehouse the
same divisions as reference data (names, level, parent) for dim_unit.
Run: .venv/bin/python scripts/build_admin_divisions.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import cpca

SOURCE = Path(cpca.__file__).parent / "resources" / "adcodes.csv"
TARGET = Path(__file__).resolve().parents[1] / "seeds" / "admin_divisions.csv"


def main() -> None:
    rows = {}
    with SOURCE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = row["adcode"][:6]
            if len(row["adcode"]) > 6 and row["adcode"][6:].strip("0"):
                continue  # towns and below
            rows[code] = row["name"]
    out = []
    for code, name in sorted(rows.items()):
        if code.endswith("0000"):
            level, parent = "province", ""
        elif code.endswith("00"):
            level, parent = "prefecture", code[:2] + "0000"
        else:
            level = "county"
            parent = code[:4] + "00" if code[:4] + "00" in rows else code[:2] + "0000"
        province = rows.get(code[:2] + "0000", "")
        city = rows.get(code[:4] + "00", "") if level != "province" else ""
        out.append([code, name, level, parent, province, city])
    with TARGET.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["adcode", "name", "level", "parent_adcode", "province", "city"])
        writer.writerows(out)
    print(f"{len(out)} divisions → {TARGET}")


if __name__ == "__main__":
    main()
