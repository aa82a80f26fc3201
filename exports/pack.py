"""`build_pack`: the quarterly workbook a board can read, built only from `metrics/` functions.

Sheets, in order: Summary (headline figures in named cells, deltas, targets, charts), Management review
(9.3.2 inputs, 9.3.3 record), Clause coverage, Statement of Applicability, Risk register, Risk heatmap,
Incidents, Monitoring breaches, Objectives, Findings and actions, Sources and method.

The same data gives the same workbook, byte for byte: nothing in it depends on the time it was built
(the document's creation date is the as-of date).
"""

from __future__ import annotations

import datetime as dt
import io

import duckdb
import xlsxwriter

from metrics.periods import parse_quarter

from .context import PackContext
from .sheets_coverage import write_clauses, write_soa
from .sheets_records import write_findings, write_incidents, write_monitoring, write_objectives
from .sheets_review import write_review
from .sheets_risks import write_heatmap, write_register
from .sheets_sources import write_sources
from .sheets_summary import write_summary
from .style import WORKBOOK_OPTIONS, Styles

__all__ = ["SHEETS", "build_pack"]

SHEETS = (
    "Summary",
    "Management review",
    "Clause coverage",
    "Statement of Applicability",
    "Risk register",
    "Risk heatmap",
    "Incidents",
    "Monitoring breaches",
    "Objectives",
    "Findings and actions",
    "Sources and method",
)

_WRITERS = (
    write_summary,
    write_review,
    write_clauses,
    write_soa,
    write_register,
    write_heatmap,
    write_incidents,
    write_monitoring,
    write_objectives,
    write_findings,
    write_sources,
)


def build_pack(
    con: duckdb.DuckDBPyConnection,
    *,
    quarter: str,
    scope: str = "organisation",
    system: str | None = None,
    unit: str | None = None,
) -> bytes:
    """The quarterly pack of `quarter` (e.g. `2026-Q3`) as xlsx bytes, for a download or a file.

    `scope` selects the control assessments (the organisation, or a unit or AI system with its own);
    `system` and `unit` filter the risks, incidents, monitoring and objectives. Raises ValueError for a
    quarter not written like `2026-Q3`.
    """
    q = parse_quarter(quarter)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    book.set_properties(
        {
            "title": f"AIMS quarterly pack {q}",
            "subject": "ISO/IEC 42001 performance evaluation (clause 9)",
            "keywords": f"AIMS, ISO/IEC 42001, {q}",
            "comments": f"As of {q.end.isoformat()}; scope {scope}",
            "created": dt.datetime.combine(q.end, dt.time()),
        }
    )
    ctx = PackContext(
        con=con, quarter=q, scope=scope, system=system, unit=unit, book=book, styles=Styles(book)
    )
    for write in _WRITERS:
        write(ctx)
    book.get_worksheet_by_name("Summary").activate()
    book.close()
    return out.getvalue()
