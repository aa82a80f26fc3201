"""Which library writes the quarterly pack: xlsxwriter or openpyxl, measured on a 50k-row formatted sheet.

`python -m bench.writers` writes the same sheet with each writer, each run in a fresh process (so one
writer's memory or caches never help the next), and prints the median write time of `--repeat` runs
and the peak memory of the process. The sheet is what the pack's register sheets look like: a styled
header row, frozen panes, an autofilter, column widths, date and number formats, and conditional
formatting of a status column.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = ["Incident", "Title", "AI system", "Detected", "Resolved", "Severity", "Days to resolve", "Score"]
SEVERITIES = ["critical", "high", "medium", "low"]
WIDTHS = [14, 48, 22, 12, 12, 12, 16, 10]
WRITERS = ("xlsxwriter", "xlsxwriter-constant-memory", "openpyxl", "openpyxl-write-only")


def rows(n: int) -> list[list[object]]:
    """`n` deterministic incident-like rows (text, dates, numbers, a status)."""
    start = dt.date(2024, 1, 1)
    out = []
    for i in range(n):
        detected = start + dt.timedelta(days=i % 900)
        days = (i * 7) % 60
        out.append(
            [
                f"INC-{i:06d}",
                f"Model output outside tolerance on segment {i % 97}",
                f"system-{i % 12}",
                detected,
                detected + dt.timedelta(days=days) if i % 5 else None,
                SEVERITIES[i % 4],
                days if i % 5 else None,
                round((i % 1000) / 10, 1),
            ]
        )
    return out


def write_xlsxwriter(path: Path, data: list[list[object]], *, constant_memory: bool = False) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory, "strings_to_formulas": False})
    sheet = book.add_worksheet("Incidents")
    head = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F3A5F", "border": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    number = book.add_format({"num_format": "0.0"})
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width, date if col in (3, 4) else number if col == 7 else None)
    sheet.write_row(0, 0, HEADER, head)
    for r, row in enumerate(data, start=1):
        sheet.write_string(r, 0, row[0])
        sheet.write_string(r, 1, row[1])
        sheet.write_string(r, 2, row[2])
        sheet.write_datetime(r, 3, row[3], date)
        if row[4] is not None:
            sheet.write_datetime(r, 4, row[4], date)
        sheet.write_string(r, 5, row[5])
        if row[6] is not None:
            sheet.write_number(r, 6, row[6])
        sheet.write_number(r, 7, row[7], number)
    last = len(data)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, last, len(HEADER) - 1)
    for value, colour in (("critical", "#D55E00"), ("high", "#E69F00")):
        fill = book.add_format({"bg_color": colour})
        sheet.conditional_format(
            1, 5, last, 5, {"type": "cell", "criteria": "==", "value": f'"{value}"', "format": fill}
        )
    book.close()


def write_openpyxl(path: Path, data: list[list[object]], *, write_only: bool = False) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("Incidents") if write_only else book.active
    if not write_only:
        sheet.title = "Incidents"
    thin = Side(style="thin")
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F3A5F")
    head_border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = "A2"
    last = len(data) + 1
    sheet.auto_filter.ref = f"A1:H{last}"
    for value, colour in (("critical", "D55E00"), ("high", "E69F00")):
        fill = PatternFill("solid", bgColor=colour)
        sheet.conditional_formatting.add(
            f"F2:F{last}", CellIsRule(operator="equal", formula=[f'"{value}"'], fill=fill)
        )
    if write_only:
        header = []
        for name in HEADER:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font, cell.fill, cell.border = head_font, head_fill, head_border
            header.append(cell)
        sheet.append(header)
        for row in data:
            out = []
            for col, value in enumerate(row):
                cell = WriteOnlyCell(sheet, value=value)
                if col in (3, 4):
                    cell.number_format = "yyyy-mm-dd"
                elif col == 7:
                    cell.number_format = "0.0"
                out.append(cell)
            sheet.append(out)
    else:
        sheet.append(HEADER)
        for cell in sheet[1]:
            cell.font, cell.fill, cell.border = head_font, head_fill, head_border
        for r, row in enumerate(data, start=2):
            sheet.append(row)
            sheet.cell(r, 4).number_format = "yyyy-mm-dd"
            sheet.cell(r, 5).number_format = "yyyy-mm-dd"
            sheet.cell(r, 8).number_format = "0.0"
    book.save(str(path))


def one(writer: str, n: int) -> dict[str, float]:
    """Build the rows, then time the write alone (seconds) and report the process's peak memory (MiB)."""
    data = rows(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sheet.xlsx"
        start = time.perf_counter()
        if writer.startswith("xlsxwriter"):
            write_xlsxwriter(path, data, constant_memory=writer.endswith("constant-memory"))
        else:
            write_openpyxl(path, data, write_only=writer.endswith("write-only"))
        seconds = time.perf_counter() - start
        size = path.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mib": peak, "bytes": size}


def measure(writer: str, n: int, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-m", "bench.writers", "--one", writer, "--rows", str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(out.stdout))
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_mib": max(r["peak_mib"] for r in runs),
        "bytes": runs[0]["bytes"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.writers")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--one", choices=WRITERS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one, args.rows)))
        return 0
    results = {w: measure(w, args.rows, args.repeat) for w in WRITERS}
    base = results["xlsxwriter"]["seconds"]
    print(f"{args.rows:,} formatted rows, median of {args.repeat} runs, each in a fresh process")
    print(f"{'writer':<30} {'write s':>8} {'vs xlsxwriter':>14} {'peak MiB':>9} {'file KiB':>9}")
    for writer, r in results.items():
        print(
            f"{writer:<30} {r['seconds']:>8.2f} {r['seconds'] / base:>13.2f}x {r['peak_mib']:>9.0f} "
            f"{r['bytes'] / 1024:>9.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
