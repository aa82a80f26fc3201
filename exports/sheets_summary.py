"""The Summary sheet: headline figures with named cells, deltas, targets, and two native charts.

Each headline value sits in a cell whose defined name is its `aims summary --json` key, written as is
(`annex_a.implementation_rate`): Excel names may hold letters, digits, underscores and dots, and none
of the keys looks like a cell reference, so no mapping is needed (`defined_name` is the identity).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from xlsxwriter.utility import xl_rowcol_to_cell

from metrics.coverage import coverage_by_group
from metrics.incidents import SEVERITIES, incidents_by_period

from .context import PackContext
from .figures import NO_COMPARISON, Figure, headline
from .style import BAND_COLOURS, OKABE_ITO, label
from .tables import Col, lines, status_rules, write_note, write_table

__all__ = ["SHEET", "defined_name", "write_summary"]

SHEET = "Summary"
_HEAD = [
    "Area",
    "Figure",
    "This quarter",
    "Previous quarter",
    "Change",
    "Target",
    "Status",
    "How it is measured",
]
_WIDTHS = [13, 32, 14, 16, 14, 10, 17, 70]
_SEVERITY_COLOURS = {
    "critical": BAND_COLOURS["critical"],
    "high": BAND_COLOURS["high"],
    "medium": OKABE_ITO["yellow"],
    "low": OKABE_ITO["sky_blue"],
}


def defined_name(key: str) -> str:
    """The workbook's defined name of a summary key (the key itself; see the module docstring)."""
    return key


def _value_format(ctx: PackContext, kind: str) -> Any:
    s = ctx.styles
    return {"pct": s.big_pct, "int": s.big_int, "days": s.big_num, "date": s.big_date}.get(kind, s.big_text)


def _write_value(ctx: PackContext, row: int, col: int, value: Any, kind: str, big: bool = True) -> None:
    sheet, s = ctx.book.get_worksheet_by_name(SHEET), ctx.styles
    if value == NO_COMPARISON:
        sheet.write_string(row, col, NO_COMPARISON, s.note)
    elif value is None:
        sheet.write_string(row, col, "no data", s.note)
    elif kind == "date":
        sheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), s.big_date if big else s.date)
    elif kind in ("pct", "int", "days"):
        plain = {"pct": s.pct, "int": s.integer, "days": s.number}[kind]
        sheet.write_number(row, col, float(value), _value_format(ctx, kind) if big else plain)
    else:
        sheet.write_string(row, col, str(value), s.big_text if big else s.text)


def _figure_row(ctx: PackContext, row: int, figure: Figure) -> None:
    sheet, s, h = ctx.book.get_worksheet_by_name(SHEET), ctx.styles, figure.headline
    sheet.write_string(row, 0, h.area, s.bold)
    sheet.write_string(row, 1, h.label, s.text)
    _write_value(ctx, row, 2, figure.value, h.kind)
    if h.named:
        ctx.book.define_name(defined_name(h.key), f"='{SHEET}'!{xl_rowcol_to_cell(row, 2, True, True)}")
    if h.key == "quarter":
        sheet.write_string(row, 3, str(ctx.previous), s.text)
    elif h.key == "as_of":
        _write_value(ctx, row, 3, ctx.previous.end, "date", big=False)
    else:
        _write_value(ctx, row, 3, figure.previous, h.kind, big=False)
    change = figure.change
    if change == NO_COMPARISON:
        sheet.write_string(row, 4, NO_COMPARISON, s.note)
    elif change is not None:
        scale, fmt = {"pct": (100, s.delta_pp), "int": (1, s.delta_count), "days": (1, s.delta_days)}[h.kind]
        sheet.write_number(row, 4, float(change) * scale, fmt)
    if figure.target is not None:
        sheet.write_number(row, 5, figure.target, s.pct)
    if figure.status != "no_target":
        sheet.write_string(row, 6, label(figure.status), s.text)
    sheet.write_string(row, 7, h.rule, s.wrap)
    sheet.set_row(row, max(17.0, 12.75 * lines(h.rule, _WIDTHS[7]) + 2))


def _coverage_chart(ctx: PackContext, top: int) -> int:
    sheet, s = ctx.book.get_worksheet_by_name(SHEET), ctx.styles
    sheet.write_string(top, 0, "Annex A implementation by objective", s.section)
    frame = coverage_by_group(ctx.con, as_of=ctx.as_of, scope=ctx.scope, level="objective")
    frame = frame.assign(target=ctx.settings.implementation_rate_target)
    columns = [
        Col("id", "Objective", width=13),
        Col("title", "Title", width=32),
        Col("implementation_rate", "Implementation rate", "pct"),
        Col("implemented", "Implemented", "int"),
        Col("applicable", "Applicable", "int"),
        Col("target", "Target", "pct"),
    ]
    last = write_table(sheet, s, frame, columns, top=top + 1, filter_and_freeze=False, set_widths=False)
    if frame.empty:
        return last + 2
    first, end = top + 2, last
    chart = ctx.book.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "Implementation rate",
            "categories": [SHEET, first, 0, end, 0],
            "values": [SHEET, first, 2, end, 2],
            "fill": {"color": OKABE_ITO["blue"]},
            "data_labels": {"value": True, "num_format": "0%", "position": "outside_end"},
        }
    )
    target = ctx.book.add_chart({"type": "line"})
    target.add_series(
        {
            "name": f"Target ({ctx.settings.implementation_rate_target:.0%})",
            "categories": [SHEET, first, 0, end, 0],
            "values": [SHEET, first, 5, end, 5],
            "line": {"color": OKABE_ITO["vermillion"], "width": 2, "dash_type": "dash"},
            "marker": {"type": "none"},
        }
    )
    chart.combine(target)
    chart.set_title({"name": "Implementation rate by Annex A objective", "name_font": {"size": 12}})
    chart.set_y_axis(
        {
            "min": 0,
            "max": 1,
            "num_format": "0%",
            "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
        }
    )
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 1280, "height": 470})
    sheet.insert_chart(end + 2, 0, chart, {"x_offset": 4, "y_offset": 4})
    return end + 2 + 25


def _incident_chart(ctx: PackContext, top: int) -> int:
    sheet, s = ctx.book.get_worksheet_by_name(SHEET), ctx.styles
    sheet.write_string(top, 0, "Incidents by quarter and severity", s.section)
    frame = incidents_by_period(ctx.con, as_of=ctx.as_of, grain="quarter", by="severity", **ctx.filters)
    if not frame.empty:
        frame = frame.pivot(index="period", columns="group", values="count").reset_index()
        frame = frame.assign(total=frame[list(SEVERITIES)].sum(axis=1)).tail(8)  # two years to compare with
    columns = [
        Col("period", "Quarter"),
        Col("total", "All severities", "int"),
        *(Col(v, v.capitalize(), "int") for v in SEVERITIES),
    ]
    last = write_table(
        sheet,
        s,
        frame,
        columns,
        top=top + 1,
        filter_and_freeze=False,
        set_widths=False,
        empty="No incidents on or before this date.",
    )
    if frame.empty:
        return last + 2
    first, end = top + 2, last
    chart = ctx.book.add_chart({"type": "column", "subtype": "stacked"})
    for j, severity in enumerate(SEVERITIES, start=2):
        chart.add_series(
            {
                "name": [SHEET, top + 1, j],
                "categories": [SHEET, first, 0, end, 0],
                "values": [SHEET, first, j, end, j],
                "fill": {"color": _SEVERITY_COLOURS[severity]},
                "border": {"color": "#FFFFFF"},
                "gap": 60,
                "data_labels": {"value": True, "position": "center", "font": {"size": 9}},
            }
        )
    chart.set_title({"name": "Incidents detected per quarter, by severity", "name_font": {"size": 12}})
    chart.set_legend({"position": "bottom", "font": {"size": 10}})  # severities by name, not colour alone
    chart.set_y_axis({"major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
    chart.set_size({"width": 1280, "height": 470})
    sheet.insert_chart(end + 2, 0, chart, {"x_offset": 4, "y_offset": 4})
    return end + 2 + 25


def _restore_widths(ctx: PackContext) -> None:
    sheet = ctx.book.get_worksheet_by_name(SHEET)
    for j, width in enumerate(_WIDTHS):
        sheet.set_column(j, j, width)


def write_summary(ctx: PackContext) -> list[Figure]:
    """Write the Summary sheet; returns the headline figures (the review sheet reuses them)."""
    sheet = ctx.sheet(SHEET, title=f"AIMS quarterly pack — {ctx.quarter}")
    s = ctx.styles
    figures = headline(
        ctx.con, quarter=ctx.quarter, scope=ctx.scope, system=ctx.system, unit=ctx.unit, settings=ctx.settings
    )
    sheet.write_string(4, 0, "Headline figures", s.section)
    for j, text in enumerate(_HEAD):
        sheet.write_string(5, j, text, s.header)
    row = 6
    for figure in figures:
        _figure_row(ctx, row, figure)
        row += 1
    status_rules(
        sheet, s, 6, row - 1, 6, ["on_target", "below_target", "no_data", "within_appetite", "above_appetite"]
    )
    write_note(
        sheet,
        s,
        row,
        "Change is this quarter minus the previous one (rates in percentage points); “no comparison” where "
        "the previous quarter has no data for the area. Targets are settings in force on the as-of date.",
        0,
        len(_WIDTHS) - 1,
        sum(_WIDTHS),
    )
    row += 2
    charts = row
    row = _coverage_chart(ctx, row)
    sheet.set_h_pagebreaks([charts, row + 1])
    _incident_chart(ctx, row + 1)
    _restore_widths(ctx)
    sheet.freeze_panes(6, 0)
    ctx.cache["figures"] = figures
    return figures
