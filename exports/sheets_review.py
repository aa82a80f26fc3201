"""The Management review sheet: the inputs of 9.3.2 a)-e) with their figures, and the 9.3.3 record.

The inputs are `metrics.review.review_summary` (the figures the dashboard's review page shows, each with
the previous quarter's value), the decisions and actions are `metrics.review_records.review_records`.
Below the recorded ones, empty rows with drop-downs let the meeting note new decisions and actions (they
become part of the record when entered in the dashboard).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from metrics.review import ReviewSection, review_summary
from metrics.review_records import review_records

from .context import PackContext
from .tables import Col, status_rules, write_note, write_table

__all__ = ["SHEET", "write_review"]

SHEET = "Management review"
_WIDTHS = [46, 15, 15, 15, 12, 17, 40]
_CODES = {"a": "a)", "bc": "b) and c)", "d1": "d) 1.", "d2": "d) 2.", "d3": "d) 3.", "e": "e)"}
_FIGURE_COLUMNS = [
    Col("label", "Figure", "wrap", 46),
    Col("value", "This quarter", width=15),
    Col("previous", "Previous quarter", width=15),
    Col("delta", "Change", width=15),
    Col("target", "Target", width=12),
    Col("status", "Status", "status", 17),
]
# The rows behind each input, as columns of this sheet (first column wide); other sections: generic.
_ITEM_COLUMNS: dict[str, list[Col]] = {
    "a": [
        Col("text", "Action", "wrap", 46),
        Col("owner", "Owner", "wrap", 15),
        Col("due_date", "Due", "date", 15),
        Col("status_at_as_of", "Status at as-of", "status", 15),
        Col("review", "Review", width=12),
    ],
    "bc": [
        Col("detail", "Detail", "wrap", 46),
        Col("id", "Id", "wrap", 15),
        Col("change", "Change", "wrap", 15),
    ],
    "d1": [
        Col("quarter", "Quarter", width=46),
        Col("raised", "Nonconformities raised", "int", 15),
        Col("closed", "Closed", "int", 15),
        Col("open", "Open at its end", "int", 15),
    ],
    "d2": [
        Col("objective", "Objective", "wrap", 46),
        Col("value", "Value", "decimal", 15),
        Col("target", "Target", "decimal", 15),
        Col("on_track", "On track", "bool", 15),
        Col("objective_id", "Id", width=12),
    ],
    "e": [Col("what", "Subject and detail", "wrap", 46), Col("kind", "Kind", "wrap", 15)],
}


def _figure_rows(section: ReviewSection) -> pd.DataFrame:
    """One row per figure: values as text formatted by unit (a table mixes rates, counts and days)."""

    def shown(value: Any, unit: str, signed: bool = False) -> str | None:
        if value is None:
            return None
        if unit == "rate":
            return f"{value * 100:+.1f} pp" if signed else f"{value:.1%}"
        if unit == "days":
            return f"{value:+.1f}" if signed else f"{value:.1f}"
        return f"{value:+,.0f}" if signed else f"{value:,.0f}"

    rows = []
    for f in section.figures:
        trend = getattr(f, "trend", True)  # a count of this quarter's items is not compared
        rows.append(
            {
                "label": f.label,
                "value": shown(f.value, f.unit) if f.value is not None else "no data",
                "previous": shown(f.previous, f.unit) if f.comparison else "no comparison" if trend else None,
                "delta": shown(f.delta, f.unit, signed=True)
                if f.comparison
                else "no comparison"
                if trend
                else None,
                "target": shown(f.target, f.unit),
                "status": None if f.on_target is None else "on_target" if f.on_target else "below_target",
            }
        )
    return pd.DataFrame(rows)


def _items(section: ReviewSection) -> tuple[pd.DataFrame, list[Col]]:
    frame = pd.DataFrame(section.items)
    if {"subject", "detail"} <= set(frame.columns):
        frame["what"] = [
            f"{a} — {b}" if b else str(a) for a, b in zip(frame["subject"], frame["detail"], strict=True)
        ]
    columns = _ITEM_COLUMNS.get(section.code)
    if columns is None or any(c.key not in frame.columns for c in columns[:1]):
        keys = list(frame.columns)[: len(_WIDTHS)]
        columns = [
            Col(k, k.replace("_", " ").capitalize(), "wrap", w) for k, w in zip(keys, _WIDTHS, strict=False)
        ]
    return frame, columns


def _decisions(ctx: PackContext, sheet, row: int) -> int:
    s = ctx.styles
    records = review_records(ctx.con, quarter=str(ctx.quarter))
    frame = records.assign(
        text=[f"{str(k).capitalize()}: {t}" for k, t in zip(records["kind"], records["text"], strict=True)],
        state=[
            "closed" if st == "closed" else "open" if k == "action" else None
            for k, st in zip(records["kind"], records["status"], strict=True)
        ],
        overdue_state=["overdue" if o is True else None for o in records["overdue"].astype(object)],
        recorded=[
            f"{b}, {pd.Timestamp(t):%Y-%m-%d}"
            for b, t in zip(records["recorded_by"], records["recorded_at"], strict=True)
        ],
    )
    columns = [
        Col("text", "Decision or action", "wrap", 46),
        Col("owner", "Owner", "wrap", 15),
        Col("due_date", "Due", "date", 15),
        Col("state", "Status", "status", 15),
        Col("overdue_state", "Overdue", "status", 12),
        Col("recorded", "Recorded by, on", "wrap", 17),
    ]
    last = write_table(
        sheet,
        s,
        frame,
        columns,
        top=row,
        filter_and_freeze=False,
        set_widths=False,
        empty=f"No decisions or actions recorded for the {ctx.quarter} review yet.",
    )
    status_rules(sheet, s, row + 1, last, 3, ["open", "closed"])
    status_rules(sheet, s, row + 1, last, 4, ["overdue"])
    row = last + 2
    write_note(
        sheet,
        s,
        row,
        "To note during the meeting, then record in the dashboard so they become part of the record:",
        0,
        len(_WIDTHS) - 1,
        sum(_WIDTHS),
    )
    row += 1
    for j, text in enumerate(["Decision or action", "Kind", "Owner", "Due", "Status"]):
        sheet.write_string(row, j, text, s.header)
    first, last = row + 1, row + 8
    for r in range(first, last + 1):
        sheet.set_row(r, 30)
        for j in range(5):
            sheet.write_blank(r, j, None, s.entry)
    sheet.data_validation(
        first,
        1,
        last,
        1,
        {
            "validate": "list",
            "source": ["decision", "action"],
            "input_title": "Kind",
            "input_message": "decision or action",
        },
    )
    sheet.data_validation(
        first,
        3,
        last,
        3,
        {
            "validate": "date",
            "criteria": ">=",
            "value": ctx.quarter.start,
            "input_title": "Due date",
            "input_message": "a date (yyyy-mm-dd)",
            "error_message": "A date on or after the quarter's start.",
        },
    )
    sheet.data_validation(
        first,
        4,
        last,
        4,
        {
            "validate": "list",
            "source": ["recorded", "open", "in_progress", "closed"],
            "input_title": "Status",
            "input_message": "decision: recorded; action: open, in_progress, closed",
        },
    )
    return last + 1


def write_review(ctx: PackContext) -> None:
    """Write the Management review sheet."""
    sheet = ctx.sheet(SHEET, title=f"Management review — inputs and outputs for {ctx.quarter}")
    s = ctx.styles
    for j, width in enumerate(_WIDTHS):
        sheet.set_column(j, j, width)
    review = review_summary(
        ctx.con, quarter=str(ctx.quarter), scope=ctx.scope, system=ctx.system, unit=ctx.unit
    )
    write_note(
        sheet,
        s,
        3,
        f"Inputs to the management review (ISO/IEC 42001, 9.3.2) as of {ctx.as_of:%d %B %Y}, compared with "
        f"{review.previous_quarter} (“no comparison” where that quarter has no data), and the review's decisions "
        "and actions (9.3.3). Registers behind the figures: the other sheets.",
        0,
        len(_WIDTHS) - 1,
        sum(_WIDTHS),
    )
    row = 5
    for section in review.sections:
        sheet.write_string(row, 0, f"{_CODES.get(section.code, section.code)} {section.title}", s.section)
        row += 1
        if section.note:
            write_note(sheet, s, row, section.note, 0, len(_WIDTHS) - 1, sum(_WIDTHS))
            row += 1
        if section.figures:
            last = write_table(
                sheet,
                s,
                _figure_rows(section),
                _FIGURE_COLUMNS,
                top=row,
                filter_and_freeze=False,
                set_widths=False,
            )
            status_rules(sheet, s, row + 1, last, 5, ["on_target", "below_target"])
            row = last + 2
        if section.items:
            frame, columns = _items(section)
            last = write_table(
                sheet, s, frame.head(60), columns, top=row, filter_and_freeze=False, set_widths=False
            )
            for j, c in enumerate(columns):
                if c.kind == "status":
                    status_rules(sheet, s, row + 1, last, j, ["open", "closed", "overdue"])
            row = last + 2
    sheet.write_string(row, 0, f"9.3.3 Decisions and actions of the {ctx.quarter} review", s.section)
    _decisions(ctx, sheet, row + 1)
    sheet.freeze_panes(4, 0)
