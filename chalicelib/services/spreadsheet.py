"""CSV as Swedish spreadsheets open it: semicolon-separated, UTF-8 with a BOM, CRLF line ends, and no
cell a spreadsheet would run as a formula (the access-log extract, the usage statistics)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def cell(value: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def semicolon_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Texts guarded as cells; numbers as they are."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) if isinstance(v, str) else v for v in row])
    return "\ufeff" + out.getvalue()
