"""One value as one spreadsheet cell: what the CSV export and Scrapy's CSV feed write.

Lists are joined by "; " (an author as "Name (0002)"), objects written as JSON, booleans as
true/false, None as nothing. A text cell that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``,
as OWASP advises against CSV injection; numbers stay numbers.
"""

from __future__ import annotations

import json
from typing import Any


def csv_cell(value: Any) -> Any:
    """One value as a CSV cell."""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, list):
        return "; ".join(_list_item(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: Any) -> Any:
    """A text cell that starts like a formula, prefixed with ``'`` so that a spreadsheet
    shows it as text; anything else (numbers too) unchanged."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def safe_cell(value: Any) -> Any:
    """``csv_cell``, formulas neutralized."""
    return neutralize(csv_cell(value))


def _list_item(value: Any) -> str:
    if isinstance(value, dict) and "name" in value:
        # An author: "Name", "Name (0002)" with a homonym suffix.
        homonym = value.get("homonym")
        return f"{value['name']} ({homonym})" if homonym else str(value["name"])
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
