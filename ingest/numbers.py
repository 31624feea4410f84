"""Numbers as printed → exact decimals.  Never float.

Money is normalised to 万元 (the unit of every 决算 table); the printed text and
unit are kept by callers for provenance.  ``decimals`` is the number of digits
printed after the decimal point: identity checks derive their rounding
tolerance from it (a figure printed with k decimals stands for ± 0.5·10^-k).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# A number as printed: thousands separators are accepted only in well-formed
# groups of three, so "2022,2023" is two numbers, not one.
NUMBER_RE = r"(?<![\d.,])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])"

DASHES = {"-", "—", "——", "–", "－", "/", "\\", "─", "━"}

MONEY_FACTORS = {"万元": Decimal(1), "万": Decimal(1), "元": Decimal("0.0001"), "亿元": Decimal(10000), "千元": Decimal("0.1")}


@dataclass(frozen=True)
class Parsed:
    value: Decimal
    decimals: int
    text: str


_PLAIN = re.compile(r"([+-]?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)")
# An accounting negative: an amount with decimals in parentheses, "(1,234.50)" (spreadsheet exports print
# negatives so); "(1)" stays text (a 栏次 or list label).
_PARENTHESISED = re.compile(r"[(（]((?:\d{1,3}(?:,\d{3})+|\d+)\.\d+)[)）]")


@lru_cache(maxsize=1 << 14)
def parse_plain(text: str) -> Parsed | None:
    """Parse a cell that holds only a number ("4,671.91", "0.00", "-3", an accounting negative "(1.50)").

    Returns None for anything else, including blanks and dashes; callers decide
    whether a blank means "not stated" or zero.  Cached (table cells repeat: "0.00", "-"); the
    result is immutable.
    """
    if text is None:
        return None
    t = text.strip()
    if not t or t in DASHES:
        return None
    t = t.replace(" ", "")
    m = _PLAIN.fullmatch(t)
    if not m:
        m = _PARENTHESISED.fullmatch(t)
        return Parsed(-to_decimal(m.group(1)), decimals_of(m.group(1)), text.strip()) if m else None
    digits = m.group(2)
    return Parsed(to_decimal(m.group(1) + digits), decimals_of(digits), text.strip())


def to_decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regexes
        raise ValueError(f"not a number: {text!r}") from exc


def decimals_of(digits: str) -> int:
    return len(digits.split(".", 1)[1]) if "." in digits else 0


def is_blank(text: str | None) -> bool:
    return text is None or not text.strip()


def is_dash(text: str | None) -> bool:
    return text is not None and text.strip() in DASHES


# A cell or phrase with a number and an optional unit: "680万元", "≥ 95%", "2800人",
# "100", "1,777,750元".  Comparators and trailing words are allowed around it.
_VALUE_WITH_UNIT = re.compile(
    r"^\s*(?P<cmp>[≥≤<>=]|大于等于|小于等于|不低于|不高于|不少于|不超过)?\s*"
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*"
    r"(?P<unit>万元|亿元|千元|元|万|%|‰|[\u4e00-\u9fa5]{1,3}(?:/[\u4e00-\u9fa5]{1,3}){0,2}|)\s*$"
)


@dataclass(frozen=True)
class ValueWithUnit:
    value: Decimal
    decimals: int
    unit: str
    comparator: str | None


def parse_value_with_unit(text: str) -> ValueWithUnit | None:
    """Parse an indicator value such as '2800人', '≥ 95%', '680万元' or '100'."""
    if is_blank(text):
        return None
    m = _VALUE_WITH_UNIT.match(text)
    if not m:
        return None
    digits = m.group("num")
    return ValueWithUnit(to_decimal(digits), decimals_of(digits), m.group("unit") or "", m.group("cmp"))


def money_to_wan(value: Decimal, unit: str) -> Decimal:
    """Convert a money amount printed in ``unit`` to 万元."""
    factor = MONEY_FACTORS.get(unit)
    if factor is None:
        raise ValueError(f"not a money unit: {unit!r}")
    return value * factor


def to_wan(value: Decimal, decimals: int, unit: str) -> tuple[Decimal, int]:
    """A money amount printed in ``unit`` with ``decimals`` digits → (万元 value, decimals in 万元).

    The decimals follow the conversion so the rounding tolerance stays that of the print:
    "360.44 元" → (0.0360, 6) stands for ± 0.005 元; "1.5 亿元" → (15000, -3) for ± 500 万元;
    "123.4 千元" → (12.34, 2).  The value keeps every digit printed (a 元 figure needs six
    decimals in 万元, more than the warehouse's four: callers quantize when storing).
    Raises ValueError for a unit that is not money.
    """
    factor = MONEY_FACTORS.get(unit)
    if factor is None:
        raise ValueError(f"not a money unit: {unit!r}")
    return value * factor, decimals + _SHIFTS[unit]


# the decimals a conversion to 万元 adds: 元 +4, 千元 +1, 万元 0, 亿元 -4 (one figure, many conversions)
_SHIFTS = {unit: -factor.as_tuple().exponent if factor < 1 else -(len(str(int(factor))) - 1)
           for unit, factor in MONEY_FACTORS.items()}
_WAREHOUSE = Decimal("0.0001")


def quantize(value: Decimal) -> Decimal:
    """Round to the warehouse precision (DECIMAL(18,4)) without going through float."""
    return value.quantize(_WAREHOUSE)
