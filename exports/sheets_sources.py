"""Sources and method: the files behind every figure, the settings used, the definitions, the version."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pandas as pd
import xlsxwriter

from metrics.imports import import_log
from metrics.inventory import data_as_of
from metrics.settings import DEFAULTS

from .context import PackContext
from .tables import Col, write_table

__all__ = ["metric_definitions", "program_version", "write_sources"]

METRICS_MD = Path(__file__).resolve().parents[1] / "METRICS.md"


def program_version() -> str:
    try:
        return metadata.version("aims-dashboard")
    except metadata.PackageNotFoundError:
        return "unknown"


def _plain(markdown: str) -> str:
    """Markdown to plain text for a cell: no emphasis marks, links as their text, one line per paragraph."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", markdown)
    text = text.replace("**", "").replace("`", "")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n".join(paragraphs)


def metric_definitions(path: Path = METRICS_MD) -> pd.DataFrame:
    """One row per section rule or metric of METRICS.md: section, name, definition (plain text)."""
    if not path.exists():
        return pd.DataFrame(columns=["section", "name", "definition"])
    rows, section, name, lines = [], "", "", []

    def flush() -> None:
        body = _plain("\n".join(lines))
        if body and section:
            rows.append({"section": section, "name": name or "(rules)", "definition": body[:32000]})

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## ") or line.startswith("### "):
            flush()
            lines = []
            if line.startswith("## "):
                section, name = line[3:].strip(), ""
            else:
                name = line[4:].strip().strip("`")
        elif not line.startswith("# "):
            lines.append(line)
    flush()
    return pd.DataFrame(rows, columns=["section", "name", "definition"])


def write_sources(ctx: PackContext) -> None:
    """The import log of every loaded file up to the as-of date, then settings, definitions and version."""
    sheet = ctx.sheet("Sources and method", title="Sources and method")
    s = ctx.styles
    stamp = data_as_of(ctx.con, as_of=ctx.as_of)
    sheet.write_string(
        3,
        0,
        f"As of {ctx.as_of:%Y-%m-%d} (quarter {ctx.quarter}); data as of {stamp or 'no data'}; "
        f"program aims-dashboard {program_version()}; workbook written with xlsxwriter {xlsxwriter.__version__}.",
        s.note,
    )
    log = import_log(ctx.con)
    if not log.empty:
        log = log[(log["outcome"] == "loaded") & (pd.to_datetime(log["as_of"]).dt.date <= ctx.as_of)]
        log = log.sort_values("import_id")
    columns = [
        Col("file_name", "File", "wrap", 34),
        Col("dataset", "Dataset", width=11),
        Col("sheet", "Sheet", width=20),
        Col("as_of", "As of", "date", 11),
        Col("as_of_source", "As of from", width=12),
        Col("scope", "Scope", width=13),
        Col("rows", "Rows", "int", 8),
        Col("warnings", "Warnings", "int", 9),
        Col("import_id", "Import", "int", 8),
        Col("superseded_by", "Superseded by", "int", 11),
        Col("loaded_at", "Imported at", "datetime", 16),
        Col("loaded_by", "Imported by", width=12),
        Col("sha256", "SHA-256 of the file", width=68),
    ]
    last = write_table(sheet, s, log, columns, top=4, empty="No file is loaded on or before this date.")
    row = last + 2
    sheet.write_string(row, 0, "Settings used (in force on the as-of date)", s.section)
    settings = [
        [key, str(getattr(ctx.settings, key)), str(getattr(DEFAULTS, key)), field.description or ""]
        for key, field in type(ctx.settings).model_fields.items()
    ]
    row = _long_rows(
        ctx, row + 1, ["Setting", "Value", "Default", "Meaning"], [(0, 0), (1, 4), (5, 8), (9, 12)], settings
    )
    row += 1
    sheet.write_string(row, 0, "Definitions and rules (METRICS.md)", s.section)
    definitions = metric_definitions()
    if definitions.empty:
        sheet.write_string(row + 1, 0, "METRICS.md is not available.", s.note)
        return
    _long_rows(
        ctx,
        row + 1,
        ["Section", "Metric or rule", "Definition"],
        [(0, 0), (1, 2), (3, 12)],
        definitions[["section", "name", "definition"]].values.tolist(),
    )


_WIDTHS = [34, 11, 20, 11, 12, 13, 8, 9, 8, 11, 16, 12, 68]


def _long_rows(
    ctx: PackContext, top: int, headers: list[str], spans: list[tuple[int, int]], rows: list[list]
) -> int:
    """A table whose cells span several columns; row heights follow the longest text (merged cells do
    not grow by themselves). Returns the row after the table."""
    sheet, s = ctx.book.get_worksheet_by_name("Sources and method"), ctx.styles
    for text, (a, b) in zip(headers, spans, strict=True):
        if a == b:
            sheet.write_string(top, a, text, s.header)
        else:
            sheet.merge_range(top, a, top, b, text, s.header)
    row = top + 1
    for values in rows:
        lines = 1
        for value, (a, b) in zip(values, spans, strict=True):
            text = str(value)
            chars = max(int(sum(_WIDTHS[a : b + 1]) * 1.15), 10)
            lines = max(lines, sum(-(-max(len(part), 1) // chars) for part in text.split("\n")))
            if a == b:
                sheet.write_string(row, a, text, s.wrap)
            else:
                sheet.merge_range(row, a, row, b, "", s.wrap)
                sheet.write_string(row, a, text, s.wrap)
        sheet.set_row(row, 13.5 * lines + 2)
        row += 1
    return row
