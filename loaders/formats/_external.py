"""Records of public AI-incident catalogues, staged for the `external_incidents` dataset."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields

from ._base import Staged

FIELDS = [
    "source",
    "external_id",
    "kind",
    "title",
    "incident_date",
    "date_text",
    "year_start",
    "year_end",
    "description",
    "deployer",
    "developer",
    "harmed_parties",
    "harms",
    "category",
    "sector",
    "country",
    "url",
]


@dataclass
class Record:
    row: int
    source: str
    external_id: str
    title: str | None
    kind: str | None = None
    incident_date: str | None = None
    date_text: str | None = None
    year_start: int | None = None
    year_end: int | None = None
    description: str | None = None
    deployer: str | None = None
    developer: str | None = None
    harmed_parties: str | None = None
    harms: str | None = None
    category: str | None = None
    sector: str | None = None
    country: str | None = None
    url: str | None = None


_YEAR = re.compile(r"(1[89]\d\d|20\d\d)(?:\.0+)?")


def years(text: str | None) -> tuple[str | None, int | None, int | None]:
    """A year or range as written (`2022.0`, `2023-2024`, `2018-`, `2022; 2023`): (text, start, end).

    An open range (`2018-`) has no end year."""
    if text is None or not str(text).strip():
        return None, None, None
    raw = str(text).strip()
    shown = re.sub(r"^(\d{4})\.0+$", r"\1", raw)
    found = [int(y) for y in _YEAR.findall(raw)]
    if not found:
        return shown, None, None
    if re.fullmatch(r"\d{4}(\.0+)?\s*[-–]\s*", raw):
        return shown, found[0], None
    return shown, min(found), max(found)


def iso_day(text: str | None) -> str | None:
    """`YYYY-MM-DD` text kept as text (never locale-parsed); None when it is not such a day."""
    if not text:
        return None
    m = re.match(r"^(\d{4}-\d{2}-\d{2})", str(text).strip())
    if not m:
        return None
    try:
        dt.date.fromisoformat(m[1])
    except ValueError:
        return None
    return m[1]


def staged(
    records: list[Record],
    sources: dict[str, str],
    *,
    sheet: str | None = None,
    context: dict[str, str] | None = None,
    value_maps: dict[str, dict[str, str]] | None = None,
    messages: list | None = None,
) -> Staged:
    names = {f.name for f in fields(Record)}
    rows = []
    for r in records:
        cells = []
        for f in FIELDS:
            value = getattr(r, f) if f in names else None
            cells.append(None if value is None or value == "" else str(value))
        rows.append((r.row, cells))
    days = [dt.date.fromisoformat(r.incident_date) for r in records if r.incident_date]
    return Staged(
        dataset="external_incidents",
        fields=FIELDS,
        sources=sources,
        rows=rows,
        sheet=sheet,
        context=context or {},
        value_maps=value_maps or {},
        messages=messages or [],
        as_of=(max(days), "data (latest incident date)") if days else None,
    )
