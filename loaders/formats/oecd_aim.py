"""OECD AI Incidents Monitor (AIM) download (`incidents*.xlsx`, one sheet, at most 100 rows), into
`external_incidents`.

Columns `id` (`2025-07-27-c835`), `title`, `date` (text `YYYY-MM-DD`, the first report: read as ISO,
never through a spreadsheet locale), `summary`, `concepts` (comma-separated concepts, kept as the
category and matched by keyword), `companies` (named companies, role not given: kept as deployer) and
`country`. Severity, harm type and industry shown on the AIM site are not in the download.
"""

from __future__ import annotations

from ._base import Format, Sheet, Staged, Tables
from ._external import Record, iso_day, staged

TITLE = "OECD AI Incidents Monitor download (xlsx)"
_COLUMNS = {"id", "title", "date", "summary", "concepts"}


def _sheet(tables: Tables) -> Sheet | None:
    return next((s for s in tables.sheets if s.header_at(_COLUMNS, within=2)), None)


def stage(tables: Tables, options) -> list[Staged]:
    sheet = _sheet(tables)
    header_row, keys = sheet.header_at(_COLUMNS, within=2)
    col = {k: j for j, k in enumerate(keys) if k}

    def cell(cells, key):
        j = col.get(key)
        return cells[j] if j is not None and j < len(cells) else None

    records = []
    for row_no, cells in sheet.rows:
        if row_no <= header_row or not cell(cells, "id"):
            continue
        day = iso_day(cell(cells, "date"))
        records.append(
            Record(
                row=row_no,
                source="OECD AIM",
                external_id=cell(cells, "id"),
                kind="incident",
                title=cell(cells, "title"),
                incident_date=day,
                date_text=cell(cells, "date"),
                year_start=int(day[:4]) if day else None,
                year_end=int(day[:4]) if day else None,
                description=cell(cells, "summary"),
                deployer=cell(cells, "companies"),
                category=cell(cells, "concepts"),
                country=cell(cells, "country"),
            )
        )
    return [
        staged(
            records,
            {
                "source": "OECD AIM",
                "external_id": "id",
                "title": "title",
                "incident_date": "date (YYYY-MM-DD text, first report)",
                "description": "summary",
                "deployer": "companies (role not given)",
                "category": "concepts",
                "country": "country",
            },
            sheet=sheet.name,
            context={"not in the download": "severity, harm type, industry, URL"},
        )
    ]


FORMATS = [
    Format("oecd-aim", TITLE, "table", ("external_incidents",), lambda t: _sheet(t) is not None, stage)
]
