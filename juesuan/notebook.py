"""Small helpers for the analysis notebooks: the warehouse, read-only, and a font that draws 汉字."""
from __future__ import annotations

from pathlib import Path

import duckdb

from juesuan.paths import warehouse_path


def connect(db: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """The warehouse ($JUESUAN_DB or warehouse/juesuan.duckdb), opened read-only so a notebook can never
    change it — and can stay open while nobody writes."""
    path = warehouse_path(db)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no warehouse yet — run `make run` in the project first")
    return duckdb.connect(str(path), read_only=True)


def use_cjk_font() -> str:
    """Register the Noto Sans CJK font shipped with mplfonts and make it matplotlib's default."""
    import matplotlib.pyplot as plt
    import mplfonts
    from matplotlib import font_manager

    font = next(Path(mplfonts.__file__).parent.rglob("NotoSansCJKsc-Regular.otf"))
    font_manager.fontManager.addfont(str(font))
    name = font_manager.FontProperties(fname=str(font)).get_name()
    plt.rcParams["font.family"] = [name]
    plt.rcParams["axes.unicode_minus"] = False
    return name
