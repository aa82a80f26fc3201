"""Reading CSV and workbook files into staging tables of text cells.

Every sheet becomes a temporary DuckDB table `<name>(row_no integer, c0 varchar, c1 varchar, ...)` where
`row_no` is the row number a user sees in the file (1 = first line / first spreadsheet row). Nothing is
typed here: typing and validation happen in SQL over the whole sheet (`loaders.validate`).

CSV: encoding (UTF-8 with or without BOM, else cp1252) and delimiter (`,`, `;`, tab, `|`) are sniffed;
DuckDB's `read_csv` does the parsing. It skips empty lines, so a file that has some is read by Python's
`csv` module instead, which keeps them as rows and the row numbers right. Workbooks are read by
`loaders.workbooks` (guarded against zip bombs and oversized cells; fastexcel or python-calamine, both
Rust): cached cell values, merged ranges filled with their top-left value, a sheet's claimed dimensions
never trusted.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .messages import UnreadableFile

__all__ = ["RawSheet", "WORKBOOK_SUFFIXES", "insert_rows", "read_file"]

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_SNIFF_BYTES = 64 * 1024
_DELIMITERS = ",;\t|"


@dataclass
class RawSheet:
    """One sheet (or the one table of a CSV) staged as text cells."""

    name: str | None  # sheet name; None for CSV
    table: str  # temporary table in the staging connection
    width: int  # number of cN columns
    rows: int  # staged rows (including title and header rows)
    delimiter: str | None = None
    encoding: str | None = None


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _fill_merged(grid: list[list[object]], merged: list | None) -> None:
    for (r0, c0), (r1, c1) in merged or []:
        if r0 >= len(grid):
            continue
        top_left = grid[r0][c0] if c0 < len(grid[r0]) else None
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, len(grid[r]) - 1) + 1):
                grid[r][c] = top_left


def _stage_grid(con: duckdb.DuckDBPyConnection, table: str, grid: list[list[str | None]]) -> int:
    import pyarrow as pa

    width = max((len(r) for r in grid), default=0)
    columns = {"row_no": pa.array(range(1, len(grid) + 1), pa.int32())}
    for j in range(width):
        columns[f"c{j}"] = pa.array([r[j] if j < len(r) else None for r in grid], pa.string())
    arrow = pa.table(columns)  # noqa: F841 - scanned by name below
    con.execute(f"create or replace temp table {table} as select * from arrow")
    return width


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, rows: list[list[object]], types: list[str]
) -> None:
    """Insert `rows` (lists of as many values as `types`, DuckDB type names) into `table` in one
    statement: a list per column, unnested side by side. DuckDB's `executemany` takes about half a
    millisecond a row (200,000 problems of a file: 2 minutes; this way about a second)."""
    if not rows:
        return
    picks = ", ".join(f"unnest($c{j}::{t}[])" for j, t in enumerate(types))
    con.execute(
        f"insert into {table} select {picks}", {f"c{j}": [r[j] for r in rows] for j in range(len(types))}
    )


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return all(b >= 32 or b in (9, 10, 13) for b in head)
    return True


def _sniff_encoding(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "cp1252"
    return "utf-8"


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines() if ln.strip()][:50]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sum(ln.count(d) for ln in lines) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, prefix: str) -> list[RawSheet]:
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head.strip():
        raise UnreadableFile("the file is empty", file=path.name)
    if b"\0" in head:
        raise UnreadableFile("the file is binary, not a CSV text file or a workbook", file=path.name)
    encoding = _sniff_encoding(head)
    delimiter = _sniff_delimiter(head.decode(encoding, errors="replace"))
    table = f"{prefix}_0"
    blank_lines, encoding = _scan(path, encoding)
    if blank_lines:
        return [_read_csv_rows(con, path, table, delimiter, encoding)]
    try:
        _duckdb_csv(con, path, f"{table}_src", delimiter, encoding)
    except duckdb.Error as exc:
        raise UnreadableFile(f"cannot be read as CSV: {_reason(exc)}", file=path.name) from None
    # rowid is only an insertion-order key: inside a write transaction it starts at a large offset
    con.execute(
        f"create or replace temp table {table} as "
        f"select cast(row_number() over (order by rowid) as integer) as row_no, * exclude (rowid) "
        f"from (select rowid, * from {table}_src)"
    )
    con.execute(f"drop table {table}_src")
    width = len(con.execute(f"select * from {table} limit 0").description) - 1
    rows = con.execute(f"select count(*) from {table}").fetchone()[0]
    return [RawSheet(name=None, table=table, width=width, rows=rows, delimiter=delimiter, encoding=encoding)]


def _reason(exc: duckdb.Error) -> str:
    """DuckDB's CSV error without the echoed line (which can be megabytes) and the list of reader options."""
    kept = []
    for line in str(exc).splitlines():
        if not line.strip() and kept:
            break
        if line.strip() and not line.startswith("Original Line:"):
            kept.append(line.strip())
    return " ".join(kept)[:400]


def _duckdb_csv(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, delimiter: str, encoding: str
) -> None:
    source, cleanup = str(path), None
    if encoding == "cp1252":  # DuckDB reads UTF-8 (and latin-1); cp1252 is transcoded first
        fd, cleanup = tempfile.mkstemp(suffix=".csv")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(path.read_bytes().decode("cp1252", errors="replace"))
        source = cleanup
    try:
        con.execute(
            f"create or replace temp table {table} as select * from read_csv($src, delim = $delim, "
            "header = false, all_varchar = true, null_padding = true, quote = '\"', escape = '\"', "
            "auto_detect = false, strict_mode = false, parallel = false, columns = $cols)",
            {"src": source, "delim": delimiter, "cols": _csv_columns(source, delimiter, encoding, path.name)},
        )
    finally:
        if cleanup:
            os.unlink(cleanup)


def _scan(path: Path, encoding: str) -> tuple[bool, str]:
    """One pass over the bytes: is there an empty line before the end, and which encoding reads it all.

    DuckDB's reader drops empty lines (shifting row numbers), and a cp1252 character beyond the sniffed
    sample would make it fail; a failed statement would also abort the caller's transaction.
    """
    blank = re.compile(rb"\n\r?\n|\r\r")
    decoder = None if encoding == "cp1252" else codecs.getincrementaldecoder("utf-8")()
    found, tail = False, b""
    with path.open("rb") as fh:
        chunk = fh.read(1 << 20)
        found = chunk.removeprefix(b"\xef\xbb\xbf").startswith((b"\n", b"\r\n"))
        while chunk and not (found and decoder is None):
            following = fh.read(1 << 20)
            window = tail + chunk
            body = window if following else window.rstrip(b"\r\n")  # empty lines at the end shift nothing
            found = found or bool(blank.search(body))
            if decoder is not None:
                try:
                    decoder.decode(chunk, final=not following)
                except UnicodeDecodeError:
                    decoder, encoding = None, "cp1252"
            chunk, tail = following, window[-2:]
    return found, encoding


def _read_csv_rows(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, delimiter: str, encoding: str
) -> RawSheet:
    """Stage a CSV with empty lines through Python's reader, which keeps them as rows (as a spreadsheet does)."""
    text = path.read_bytes().decode("utf-8-sig" if encoding != "cp1252" else "cp1252", errors="replace")
    try:
        grid = [
            [c or None for c in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise UnreadableFile(f"cannot be read as CSV: {exc}", file=path.name) from None
    while grid and all(v is None for v in grid[-1]):
        grid.pop()
    width = _stage_grid(con, table, grid)
    return RawSheet(
        name=None, table=table, width=width, rows=len(grid), delimiter=delimiter, encoding=encoding
    )


def _csv_columns(source: str, delimiter: str, encoding: str, name: str) -> dict[str, str]:
    """Column names c0..cN, N from the widest of the first lines (title rows may be narrower)."""
    with open(
        source, encoding="utf-8-sig" if encoding != "cp1252" else "utf-8", errors="replace", newline=""
    ) as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        width = 1
        try:
            for i, row in enumerate(reader):
                width = max(width, len(row))
                if i >= 200:
                    break
        except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
            raise UnreadableFile(f"cannot be read as CSV: {exc}", file=name) from None
    return {f"c{j}": "VARCHAR" for j in range(width)}


def read_file(con: duckdb.DuckDBPyConnection, path: Path, prefix: str = "raw") -> list[RawSheet]:
    """Stage every sheet of a file as text cells in `con`; raise `UnreadableFile` when it cannot be read."""
    if not path.exists():
        raise UnreadableFile("no such file", file=path.name)
    if not path.is_file():
        raise UnreadableFile("this is a folder, not a file", file=path.name)
    if path.stat().st_size == 0:
        raise UnreadableFile("the file is empty", file=path.name)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from .workbooks import read_workbook

        return read_workbook(con, path, prefix)
    return _read_csv(con, path, prefix)
