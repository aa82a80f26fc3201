"""Reading workbooks: guarded first, then read fast when the sheets allow it, else exactly.

Guards. An .xlsx (.xlsm, .xlsb, .ods) is a zip file: before any reader sees it, the sizes its parts
declare are checked (a small file whose sheet expands to gigabytes is a zip bomb), and no cell may hold
more than Excel's own limit of 32,767 characters. Either is refused with a message, in bounded time and
memory.

Fast. A large .xlsx/.xlsm is read by fastexcel (Rust), each sheet once, into typed Arrow columns (the
first row as column names); SQL turns them into the same text cells the exact reader stages (numbers as
Python writes them, date-times without a midnight time, TRUE/FALSE). A sheet whose first row is not its
header, with a column mixing kinds of values, an unnamed column or merged cells sends the whole workbook
to the exact reader, so what is staged never depends on which reader ran.

Exact. python-calamine reads cached cell values; merged ranges are filled with their top-left value and
trailing empty rows and columns are dropped.
"""

from __future__ import annotations

import re
import threading
import zipfile
from pathlib import Path

import duckdb

from .messages import UnreadableFile
from .reading import RawSheet, _cell_text, _fill_merged, _looks_like_text, _stage_grid

__all__ = ["MAX_CELL", "plan_bulk", "read_workbook", "text_sql"]

MAX_CELL = 32_767  # characters in one cell (Excel's own limit)
_MAX_UNZIPPED = 1 << 30  # bytes all parts of a workbook may declare together
_MAX_RATIO = 100  # a part above _RATIO_FLOOR declared to expand more than this is a zip bomb
_RATIO_FLOOR = 16 << 20
_FAST_BYTES = 1 << 20  # smaller workbooks are read exactly (in well under a second)
_FAST_SUFFIXES = {".xlsx", ".xlsm"}
_RENAMED = re.compile(r"(.*)_\d+")


def read_workbook(con: duckdb.DuckDBPyConnection, path: Path, prefix: str) -> list[RawSheet]:
    """Stage every sheet of a workbook as text cells; raise `UnreadableFile` when it cannot be read."""
    _guard(path)
    if path.suffix.lower() in _FAST_SUFFIXES and path.stat().st_size >= _FAST_BYTES:
        sheets = _read_fast(con, path, prefix)
        if sheets is not None:
            return sheets
    return _read_exact(con, path, prefix)


def _refuse(path: Path, text: str) -> UnreadableFile:
    return UnreadableFile(f"cannot be read as a {path.suffix} workbook: {text}", file=path.name)


def _guard(path: Path) -> None:
    """Refuse a zip whose parts declare too much, before a reader inflates them."""
    if not zipfile.is_zipfile(path):
        return  # .xls (not a zip) or not a workbook at all: the reader says which
    try:
        with zipfile.ZipFile(path) as book:
            parts = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(path, f"a damaged zip archive ({exc})") from None
    total = sum(p.file_size for p in parts)
    if total > _MAX_UNZIPPED:
        raise _refuse(
            path, f"its parts would expand to {total / 2**30:.1f} GiB (at most {_MAX_UNZIPPED >> 30} GiB)"
        )
    for p in parts:
        if p.file_size > _RATIO_FLOOR and p.file_size > _MAX_RATIO * max(p.compress_size, 1):
            raise _refuse(
                path,
                f"part {p.filename} would expand {p.file_size // max(p.compress_size, 1)}-fold "
                f"to {p.file_size / 2**20:.0f} MiB (a zip bomb?)",
            )


def _too_long(path: Path, sheet: str, longest: int) -> UnreadableFile:
    return _refuse(
        path,
        f"a cell of sheet {sheet!r} holds {longest:,} characters; a cell holds at most {MAX_CELL:,} "
        "(Excel's own limit)",
    )


class _MergeScan(threading.Thread):
    """Whether any sheet has merged cells (`<mergeCell` in its XML): inflated while fastexcel reads."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path, self.found = path, False

    def run(self) -> None:
        try:
            with zipfile.ZipFile(self.path) as book:
                for name in book.namelist():
                    if (
                        name.startswith("xl/worksheets/")
                        and name.endswith(".xml")
                        and self._merges(book, name)
                    ):
                        self.found = True
                        return
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            self.found = True  # the exact reader decides what to say

    @staticmethod
    def _merges(book: zipfile.ZipFile, name: str) -> bool:
        tail = b""
        with book.open(name) as part:
            while chunk := part.read(4 << 20):
                if b"<mergeCell" in tail + chunk[:16] or b"<mergeCell" in chunk:
                    return True
                tail = chunk[-16:]
        return False


_LAST: dict[tuple, tuple[list[str], list] | None] = {}  # the last workbook fastexcel read


def _typed_sheets(path: Path) -> tuple[list[str], list] | None:
    """(sheet names, Arrow tables) of a workbook fastexcel reads exactly; None when it cannot."""
    import fastexcel

    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key in _LAST:
        return _LAST[key]
    merges = _MergeScan(path)
    merges.start()
    try:
        reader = fastexcel.read_excel(str(path))
        names = list(reader.sheet_names)
        tables = [
            reader.load_sheet(i, header_row=0, dtype_coercion="strict").to_arrow() for i in range(len(names))
        ]
        found: tuple[list[str], list] | None = (names, tables)
    except Exception:  # mixed kinds of values in a column, or anything else: the exact reader decides
        found = None
    finally:
        merges.join()
    if merges.found or (found and not all(_named(t.column_names) for t in found[1])):
        found = None
    _LAST.clear()
    _LAST[key] = found
    return found


def _named(columns: list[str]) -> bool:
    """Every column has a header of its own (fastexcel names the others `__UNNAMED__n` or `name_n`)."""
    return not any(
        c.startswith("__UNNAMED__") or ((m := _RENAMED.fullmatch(c)) and m[1] in columns) for c in columns
    )


def _read_fast(con: duckdb.DuckDBPyConnection, path: Path, prefix: str) -> list[RawSheet] | None:
    found = _typed_sheets(path)
    _LAST.clear()
    if found is None:
        return None
    sheets = []
    for index, (name, table) in enumerate(zip(*found, strict=True)):
        staged = _stage_typed(con, f"{prefix}_{index}", table, path, name)
        if staged is None:
            return None
        sheets.append(staged)
    return sheets


def plan_bulk(path: Path, options, *, min_bytes: int = _FAST_BYTES):
    """A bulk plan (`loaders.fastcsv`) for a large one-sheet workbook whose columns have the kinds its
    dataset's fields want; None otherwise (the generic path then stages the same Arrow tables)."""
    from .fastcsv import NotBulk, plan_grid, scratch

    if path.suffix.lower() not in _FAST_SUFFIXES or path.stat().st_size < max(min_bytes, 1):
        return None
    if options.system or options.model_version:
        return None
    try:
        _guard(path)
    except UnreadableFile:
        return None  # the generic path says why
    found = _typed_sheets(path)
    if found is None or len(found[0]) != 1 or (options.sheet and options.sheet != found[0][0]):
        return None
    (sheet,), (table,) = found
    types = {f.name: str(f.type) for f in table.schema}
    picks = [text_sql(name, kind) or "null" for name, kind in types.items()]
    with scratch() as con:
        con.register("sheet_table", table)
        head = con.execute(f"select {', '.join(picks)} from sheet_table limit 60").fetchall() if picks else []
        try:
            bp = plan_grid(path, options, [list(table.column_names), *map(list, head)], sheet=sheet)
        except NotBulk:
            return None
        if bp.header_row != 1:
            return None
        wanted = {"datetime": ("timestamp", "date"), "number": ("double", "int"), "integer": ("int",)}
        for f in bp.mapped:
            name = table.column_names[bp.columns[f.name].index]
            if f.kind in wanted:
                if not types[name].startswith(wanted[f.kind]) and types[name] != "null":
                    return None
                continue
            # the whole column's values, known before the insert (the CSV path knows a sample only)
            found_values = con.execute(f"select distinct {text_sql(name, types[name])} from sheet_table")
            bp.sample[f.name] = sorted({v for (v,) in found_values.fetchall()} - {None}, key=str)
    bp.arrow = table
    _LAST.clear()  # the plan holds the table now
    return bp


def text_sql(column: str, kind: str) -> str | None:
    """SQL for the text the exact reader stages for a typed value (None: not a kind handled here)."""
    c = '"' + column.replace('"', '""') + '"'
    if kind in ("string", "large_string"):
        return f"nullif({c}, '')"
    if kind == "double":
        return (
            f"case when {c} = trunc({c}) and abs({c}) < 1e15 then cast(cast({c} as bigint) as varchar) "
            f"else cast({c} as varchar) end"
        )
    if kind in ("int64", "int32"):
        return f"cast({c} as varchar)"
    if kind == "bool":
        return f"case when {c} then 'TRUE' when not {c} then 'FALSE' end"
    if kind.startswith("timestamp"):
        return (
            f"case when cast({c} as time) = time '00:00:00' then strftime({c}, '%Y-%m-%d') "
            f"when epoch_us({c}) % 1000000 = 0 then strftime({c}, '%Y-%m-%d %H:%M:%S') "
            f"else strftime({c}, '%Y-%m-%d %H:%M:%S.%f') end"
        )
    if kind.startswith("date"):
        return f"strftime({c}, '%Y-%m-%d')"
    if kind == "null":
        return "cast(null as varchar)"
    return None


def _stage_typed(con, table_name: str, arrow, path: Path, sheet: str) -> RawSheet | None:
    """Row 1 = the column names, then the data rows, as the exact reader's text cells."""
    picks = []
    for j, field in enumerate(arrow.schema):
        sql = text_sql(field.name, str(field.type))
        if sql is None:
            return None
        picks.append(f"{sql} as c{j}")
    header = [None if n.startswith("__UNNAMED__") else n for n in arrow.column_names]
    width = len(header)
    if width == 0:
        con.execute(f"create or replace temp table {table_name} (row_no integer)")
        return RawSheet(name=sheet, table=table_name, width=0, rows=0)
    con.register("workbook_sheet", arrow)
    try:
        con.execute(
            f"create or replace temp table {table_name} as select cast(1 as integer) as row_no, "
            + ", ".join(f"cast($h{j} as varchar) as c{j}" for j in range(width))
            + f" union all select cast(row_number() over () + 1 as integer), {', '.join(picks)} "
            "from workbook_sheet",
            {f"h{j}": h for j, h in enumerate(header)},
        )
    finally:
        con.unregister("workbook_sheet")
    lengths = ", ".join(f"coalesce(length(c{j}), 0)" for j in range(width))
    longest = con.execute(f"select max(greatest({lengths})) from {table_name}").fetchone()[0]
    if longest and longest > MAX_CELL:
        raise _too_long(path, sheet, longest)
    # trailing rows with no value are not rows (as the exact reader drops them)
    con.execute(
        f"delete from {table_name} where row_no > (select coalesce(max(row_no), 0) from {table_name} "
        f"where coalesce({', '.join(f'c{j}' for j in range(width))}) is not null)"
    )
    rows = con.execute(f"select count(*) from {table_name}").fetchone()[0]
    return RawSheet(name=sheet, table=table_name, width=width, rows=rows)


def _read_exact(con: duckdb.DuckDBPyConnection, path: Path, prefix: str) -> list[RawSheet]:
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for non-workbooks
        with path.open("rb") as fh:
            head = fh.read(512)
        if _looks_like_text(head):
            kind = f"it is a text file, not a workbook (if it is a CSV file, name it {path.stem}.csv)"
        else:
            kind = f"its content is not a workbook ({type(exc).__name__}: {exc})"
        raise _refuse(path, f"{kind}; expected an .xlsx/.xlsm/.xls/.ods workbook or a CSV file") from None
    sheets: list[RawSheet] = []
    for index, name in enumerate(book.sheet_names):
        sheet = book.get_sheet_by_index(index)
        grid = [list(row) for row in sheet.to_python(skip_empty_area=False)]
        _fill_merged(grid, sheet.merged_cell_ranges)
        text = [[_cell_text(v) for v in row] for row in grid]
        longest = max((len(v) for row in text for v in row if v), default=0)
        if longest > MAX_CELL:
            raise _too_long(path, name, longest)
        while text and all(v is None for v in text[-1]):
            text.pop()
        width = max(
            (max((j + 1 for j, v in enumerate(r) if v is not None), default=0) for r in text), default=0
        )
        text = [r[:width] for r in text]
        table = f"{prefix}_{index}"
        _stage_grid(con, table, text)
        sheets.append(RawSheet(name=name, table=table, width=width, rows=len(text)))
    return sheets
