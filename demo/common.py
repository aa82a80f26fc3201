"""What every demo file shares: the seed, the quarters, the AI systems, and byte-stable writers."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

SEED = 42
ORGANISATION = "Meridian Mutual"
ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "data" / "catalog.csv"
DEFAULT_OUT = ROOT / "data" / "demo"

# The six quarters of the story, oldest first, with their as-of dates (quarter ends).
QUARTERS: tuple[str, ...] = ("2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")
START = dt.date(2025, 4, 1)
END = dt.date(2026, 9, 30)
# Fixed document timestamp for every workbook, so regenerating gives the same bytes.
CREATED = dt.datetime(2026, 10, 1, 9, 0, 0, tzinfo=dt.UTC)


def quarter_end(label: str) -> dt.date:
    year, quarter = int(label[:4]), int(label[-1])
    first_of_next = dt.date(year + (quarter == 4), quarter * 3 % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def quarter_start(label: str) -> dt.date:
    year, quarter = int(label[:4]), int(label[-1])
    return dt.date(year, quarter * 3 - 2, 1)


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


QUARTER_ENDS: tuple[dt.date, ...] = tuple(quarter_end(q) for q in QUARTERS)


def rng(part: str) -> random.Random:
    """A generator of its own for each part of the demo, seeded from SEED and the part's name.

    Separate streams keep one file's randomness independent of the others (and of the writing order).
    String seeds are hashed with SHA-512 by `random`, so they are stable across runs and platforms.
    """
    return random.Random(f"{SEED}:{part}")


@dataclass(frozen=True)
class System:
    system_id: str
    name: str
    slug: str
    owner: str
    business_unit: str
    risk_class: str
    lifecycle: str
    purpose: str
    last_impact_assessment: dt.date


SYSTEMS: tuple[System, ...] = (
    System(
        "AIS-01",
        "Credit scoring",
        "credit-scoring",
        "Head of Lending Analytics",
        "Retail Lending",
        "high",
        "production",
        "Scores consumer loan applications for creditworthiness; an underwriter decides",
        dt.date(2025, 3, 14),  # high risk, impact assessment older than 12 months on 2026-09-30
    ),
    System(
        "AIS-02",
        "Claims triage",
        "claims-triage",
        "Head of Claims Operations",
        "Claims",
        "limited",
        "production",
        "Routes incoming motor and home claims to fast-track or adjuster queues",
        dt.date(2026, 2, 9),
    ),
    System(
        "AIS-03",
        "Customer chatbot",
        "customer-chatbot",
        "Head of Customer Service",
        "Customer Service",
        "limited",
        "production",
        "Answers policy and claims questions on the website; hands over to an agent on request",
        dt.date(2025, 11, 27),
    ),
    System(
        "AIS-04",
        "Fraud detection",
        "fraud-detection",
        "Head of Financial Crime",
        "Claims",
        "minimal",
        "development",
        "Flags suspicious claims for investigators; runs in shadow mode until validated",
        dt.date(2026, 5, 18),
    ),
)
SYSTEM_BY_SLUG = {s.slug: s for s in SYSTEMS}

Cell = str | int | float | dt.date | None


@dataclass
class Sheet:
    name: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    title: str | None = None  # a title row above the header, as people put in their registers


def write_workbook(path: Path, sheets: Sequence[Sheet], title: str) -> None:
    """Write a workbook whose bytes depend only on its content (xlsxwriter, in memory, fixed properties)."""
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    book.set_properties({"title": title, "author": f"{ORGANISATION} AIMS office", "created": CREATED})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    heading = book.add_format({"bold": True, "font_size": 13})
    date_format = book.add_format({"num_format": "yyyy-mm-dd", "align": "left"})
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        top = 0
        if sheet.title:
            ws.write_string(0, 0, sheet.title, heading)
            top = 1
        for col, header in enumerate(sheet.headers):
            ws.write_string(top, col, header, bold)
        widths = [len(h) for h in sheet.headers]
        for i, row in enumerate(sheet.rows, start=top + 1):
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(i, col, dt.datetime.combine(value, dt.time()), date_format)
                    widths[col] = max(widths[col], 10)
                elif isinstance(value, int | float):
                    ws.write_number(i, col, value)
                    widths[col] = max(widths[col], len(str(value)))
                else:
                    ws.write_string(i, col, value)
                    widths[col] = max(widths[col], len(value))
        for col, width in enumerate(widths):
            ws.set_column(col, col, min(max(width + 2, 10), 60))
        ws.freeze_panes(top + 1, 0)
        ws.autofilter(top, 0, top + len(sheet.rows), len(sheet.headers) - 1)
    book.close()


def csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    """UTF-8, comma-separated, '\\n' line endings, ISO dates."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows([csv_text(v) for v in row] for row in rows)


def read_catalog() -> list[dict[str, str]]:
    with CATALOG.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
