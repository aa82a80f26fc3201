"""Writing tables into a sheet: typed, safe cells, wrapped rows tall enough to read, status colours.

Every text from the data is written with `write_string` (never `write`), so text that looks like a
formula stays text; only `http` and `https` links become hyperlinks (see `exports.style`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from .style import LABELS, Styles, label

__all__ = ["Col", "index", "lines", "status_rules", "write_cell", "write_note", "write_table"]


@dataclass(frozen=True)
class Col:
    """One column of a table: the frame's column, its header, how its cells are written, its width."""

    key: str
    header: str
    kind: str = (
        "text"  # text | wrap | int | number | decimal | pct | date | datetime | bool | status | link | list
    )
    width: float = 14
    convert: Callable[[Any], Any] | None = None


def _web_link(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc) and len(text) <= 2000


def _writer(
    sheet: Worksheet, styles: Styles, kind: str
) -> tuple[Callable[..., Any], Any, Callable[[Any], Any]]:
    """How a column kind is written: (worksheet method, cell format, value conversion). Text always goes
    through `write_string`, numbers through `write_number`, dates through `write_datetime`."""
    if kind in ("int", "number", "decimal", "pct"):
        fmt = {"int": styles.integer, "number": styles.number, "decimal": styles.decimal, "pct": styles.pct}[
            kind
        ]
        return sheet.write_number, fmt, float
    if kind in ("date", "datetime"):
        fmt = styles.date if kind == "date" else styles.datetime
        return (
            sheet.write_datetime,
            fmt,
            lambda v: v if isinstance(v, dt.datetime) else pd.Timestamp(v).to_pydatetime(),
        )
    if kind == "bool":
        return sheet.write_string, styles.text, lambda v: "Yes" if bool(v) else "No"
    if kind == "status":
        return sheet.write_string, styles.text, label
    if kind == "list":
        return sheet.write_string, styles.text, lambda v: "; ".join(str(x) for x in v)
    if kind == "link":

        def link(r: int, c: int, text: str, fmt: Any) -> Any:
            if _web_link(text):
                return sheet.write_url(r, c, text.strip(), styles.link, string=text, tip="Open the evidence")
            return sheet.write_string(r, c, text, fmt)

        return link, styles.text, str
    return sheet.write_string, styles.wrap if kind == "wrap" else styles.text, str


def write_cell(sheet: Worksheet, row: int, col: int, value: Any, kind: str, styles: Styles) -> None:
    """Write one value by its column kind (None writes nothing: an empty cell)."""
    if value is not None:
        method, fmt, convert = _writer(sheet, styles, kind)
        method(row, col, convert(value), fmt)


def index(columns: Sequence[Col], key: str) -> int:
    """The position of the column holding `key`."""
    return next(j for j, c in enumerate(columns) if c.key == key)


def status_rules(
    sheet: Worksheet, styles: Styles, first: int, last: int, col: int, values: Sequence[str]
) -> None:
    """Conditional formats colouring a status column by the labels it can hold (label and colour)."""
    if last < first:
        return
    for value in values:
        text, colour = LABELS[value]
        sheet.conditional_format(
            first,
            col,
            last,
            col,
            {"type": "text", "criteria": "begins with", "value": text, "format": styles.fill(colour)},
        )


_LINE = 12.75  # points per line of 10-point text


def lines(text: str, width: float) -> int:
    """How many lines `text` takes when wrapped in a column `width` characters wide (an estimate:
    xlsxwriter cannot measure text, and LibreOffice does not grow rows on opening a file)."""
    per_line = max(int(width * 1.2), 4)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def write_note(
    sheet: Worksheet, styles: Styles, row: int, text: str, first: int, last: int, width: float
) -> None:
    """A wrapped note spanning columns `first`-`last` (`width` characters together), tall enough to read."""
    if last > first:
        sheet.merge_range(row, first, row, last, "", styles.note)
    sheet.write_string(row, first, text, styles.note)
    sheet.set_row(row, _LINE * lines(text, width) + 3)


def write_table(
    sheet: Worksheet,
    styles: Styles,
    frame: pd.DataFrame,
    columns: Sequence[Col],
    *,
    top: int,
    left: int = 0,
    filter_and_freeze: bool = True,
    set_widths: bool = True,
    note: str | None = None,
    empty: str = "None at this date.",
) -> int:
    """Write a header row and one row per frame row; returns the last row written (the header if empty).

    With `filter_and_freeze`, the header gets an autofilter and the panes freeze below it (one table per
    sheet can have them). `note` goes in the row above the header, across the table. Rows with wrapped
    text get the height their longest text needs.
    """
    if note:
        write_note(sheet, styles, top - 1, note, left, left + len(columns) - 1, sum(c.width for c in columns))
    for j, c in enumerate(columns):
        sheet.write_string(top, left + j, c.header, styles.header)
        if set_widths:
            sheet.set_column(left + j, left + j, c.width)
    sheet.set_row(top, _LINE * max(lines(c.header, c.width) for c in columns) + 3)
    if frame.empty:
        sheet.write_string(top + 1, left, empty, styles.note)
        return top + 1
    # Column by column, one Python list each: far faster than a row-wise pandas walk on large registers.
    first = top + 1
    heights = [1] * len(frame)
    for j, c in enumerate(columns):
        series = frame[c.key] if c.key in frame.columns else pd.Series([None] * len(frame))
        values = _plain_values(series, c.kind)
        if c.convert:
            values = [c.convert(v) for v in values]
        method, fmt, convert = _writer(sheet, styles, c.kind)
        col = left + j
        for i, v in enumerate(values):
            if v is not None:
                method(first + i, col, convert(v), fmt)
        if c.kind == "wrap":
            per_line = max(int(c.width * 1.2), 4)
            for i, v in enumerate(values):
                text = "" if v is None else str(v)
                if len(text) > per_line or "\n" in text:
                    heights[i] = max(heights[i], lines(text, c.width))
    for i, height in enumerate(heights):
        if height > 1:
            sheet.set_row(first + i, _LINE * height + 2)
    last = top + len(frame)
    if filter_and_freeze:
        sheet.autofilter(top, left, last, left + len(columns) - 1)
        sheet.freeze_panes(top + 1, 0)
        sheet.repeat_rows(top)
    return last


def _plain_values(series: pd.Series, kind: str) -> list[Any]:
    """A column as plain Python values, missing ones as None; dates as datetimes, converted once."""
    if kind in ("date", "datetime"):
        stamps = pd.to_datetime(series, errors="coerce")
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)
        mask = stamps.isna().tolist()
        return [None if m else v for v, m in zip(list(stamps.dt.to_pydatetime()), mask, strict=True)]
    mask = series.isna().tolist()
    return [None if m else v for v, m in zip(series.astype(object).tolist(), mask, strict=True)]
