"""The bulk path: a large CSV file of a record dataset, read by DuckDB with the contract's types.

The generic path stages every cell as text and types it with SQL that accepts every spelling users
write; that costs several full copies of a file. A large CSV whose first lines show plain formats (UTF-8,
ISO date-times, dot decimals) takes this path instead, driven by `store.bulk`:

1. `plan` peeks at the first lines in Python. Delimiter, header row and columns are found by the generic
   detection on the same first rows; each mapped field's kind becomes a column type and the date-time
   format is read from the sample.
2. The writer runs `insert_sql`, straight into the store table, inside its transaction: the file is
   read in a few parts at once (each a typed `read_csv ... with ordinality`, bad lines kept aside by
   `store_rejects`), so every row gets its number while DuckDB reads on every core. A part reads a piece
   of the file cut at a line end (`store.digest.Split`), or else begins with `skip`. Values go in as
   read, empty ones too (the store's columns allow it: an empty required value refuses the file, which
   is rolled back). Until the checks are done, `row_no` is the row's record number in its part, and a
   rejected line typed the generic way has minus its line number. A one-sheet workbook is planned by
   `loaders.workbooks.plan_bulk` and inserted the same way from fastexcel's typed columns.
3. The writer then asks `loaders.fastcheck` what the generic path would say about the inserted rows;
   every message names the row as the user sees it.

Whatever the bulk path cannot decide exactly as the generic path would (blank lines, another encoding,
comma decimals in a column whose sample had none, many rejected lines, ...) raises `NotBulk`; the writer
rolls back and takes the generic path. A typed read never silently accepts what the generic path would
refuse or read differently: date-times are read with the exact format of the sample, so a value with a
UTC offset or in another format is a rejected line, typed by the generic rules.
"""

from __future__ import annotations

import bisect
import csv
import functools
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from . import datasets  # noqa: F401  (registers every contract)
from .contracts import CONTRACTS, Contract, FieldSpec, norm
from .formats._base import Document
from .messages import Message
from .pipeline import LoadOptions, Prepared, _as_of, _detect
from .reading import WORKBOOK_SUFFIXES, RawSheet, _sniff_delimiter, _sniff_encoding, insert_rows
from .validate import Column, date_order

__all__ = ["FAST_MIN_BYTES", "Bulk", "BulkPlan", "NotBulk", "Part", "RowMap", "plan", "plan_grid", "scratch"]

FAST_MIN_BYTES = 8 << 20  # smaller CSV files load in well under a second the generic way
BOOK_MIN_BYTES = 2 << 20  # workbooks hold fewer rows per byte and are slower to stage as text
_SAMPLE_BYTES = 256 * 1024
_HEAD_ROWS = 60  # what header detection and source-format recognition look at
_SQL_TYPE = {"datetime": "TIMESTAMP", "number": "DOUBLE", "integer": "BIGINT"}
_DATETIME_FORMATS = [  # sample pattern -> DuckDB format; each one the generic path reads the same way
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"), "%Y-%m-%d %H:%M:%S"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"), "%Y-%m-%dT%H:%M:%S"),
    # fractions of a second (%f: one to six digits), UTC written as Z or +00:00 (the generic path converts
    # a UTC offset to UTC, so these read as written; another offset is a rejected line, typed its way)
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{1,6}"), "%Y-%m-%d %H:%M:%S.%f"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,6}"), "%Y-%m-%dT%H:%M:%S.%f"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"), "%Y-%m-%dT%H:%M:%SZ"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,6}Z"), "%Y-%m-%dT%H:%M:%S.%fZ"),
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00:00"), "%Y-%m-%d %H:%M:%S+00:00"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00"), "%Y-%m-%dT%H:%M:%S+00:00"),
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"), "%Y-%m-%d %H:%M"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "%Y-%m-%dT%H:%M"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d"),
]
# Day-first or month-first dates (4-digit years), to the minute or second: the day-month order is the
# sample's (`loaders.validate.date_order`); the typed read's DuckDB format follows it and the separator.
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})(?: (\d{1,2}:\d{2}(:\d{2})?))?")
_CLOCKS = ["", " %H:%M", " %H:%M:%S"]  # no time, to the minute, to the second (`_kind`)

# a number column's decimal mark, as the generic typing decides it (`loaders.validate`): a comma when some
# value reads as a decimal comma and none as a dot decimal (over the cells as it sees them, `as_typed`)
_COMMA_DECIMAL = re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+),\d+")
_DOT_DECIMAL = re.compile(r"-?\d+\.\d+")
_TRIMMED = " \t\n\r\xa0"  # what the generic typing trims off a cell


# More rejected lines than that: the sample misled, and the generic path reads the file (99,000 of a
# million lines: 5.9 s the bulk way, 9.5 s the generic way). A read records one more at most: DuckDB
# keeps every rejected line in memory, 2.9 GiB for 2M lines.
MAX_REJECTS = 100_000

# The rows of the typed read, as opposed to rejected lines typed the generic way (`row_no` < 0: minus
# their line), while the writer checks them.
MAIN_ROWS = "row_no > 0"


class NotBulk(Exception):
    """The file must go the generic way (said why, for the curious)."""


class Part(NamedTuple):
    """Records of a CSV file read at once with others: `count` records (all the rest: None) after the
    first `start`. Read from the file itself with `skip` and `limit` (`piece` None), or from a piece of
    it that holds just these records' lines (`piece`: its path), whose rejected lines are numbered from
    the piece's first line."""

    start: int
    count: int | None = None
    piece: str | None = None


@dataclass(frozen=True)
class Bulk:
    """What the bulk path needs beyond a dataset's contract."""

    dataset: str
    kinds: frozenset[str]  # field kinds it reads
    unsupported: frozenset[str]  # fields whose presence sends a file the generic way
    store: Callable[[BulkPlan], dict[str, str]]  # store column -> SQL over the field columns
    raw: dict[str, str]  # field -> the store column of its value as read, where not the field's name
    text_columns: Callable[[BulkPlan], dict[str, str]]  # store column -> field, for the cleaning
    tallied: frozenset[str]  # text columns whose values the checks count (`fastcheck.TextValues.tally`)
    retyped: Callable[[duckdb.DuckDBPyConnection, str], str]  # typed table -> table of store rows
    # table, where, row map, tally
    checks: Callable[[BulkPlan, duckdb.DuckDBPyConnection, str, str, RowMap, dict], list[Message]]


@dataclass
class BulkPlan:
    """A file the bulk path reads, and everything learnt from its first lines."""

    path: Path
    contract: Contract
    bulk: Bulk
    options: LoadOptions
    header_row: int
    delimiter: str
    width: int
    columns: dict[str, Column]  # field -> where it sits in the file
    datetime_format: str | None
    marked: set[str]  # number fields whose sample shows the read's decimal mark (so the other never is one)
    sample: dict[str, list[str]]  # field -> distinct values of the sample, as read
    prepared: Prepared
    mapped: list[FieldSpec] = field(default_factory=list)
    sheet: str | None = None  # a workbook's sheet
    arrow: Any = None  # a workbook sheet's typed columns (fastexcel)
    estimated_rows: int = 0  # data rows, from the file's size and the sample's lines
    case_params: dict[str, str | None] = field(default_factory=dict)  # values bound in `stored`' SQL
    decimal_mark: str = "."  # of every number column of the read (`_decimal_marks`)
    date_order: str | None = None  # "dmy" or "mdy" when the date-times are numeric dates (`_numeric_dates`)

    @property
    def file(self) -> str:
        return self.path.name

    @functools.cached_property
    def stored(self) -> dict[str, str]:
        """Store column -> SQL over the field columns (`Bulk.store`, its values bound in `case_params`)."""
        return self.bulk.store(self)

    def raw(self, name: str) -> str:
        """The store column that holds field `name`'s value as read (null when it was empty)."""
        return self.bulk.raw.get(name, name)

    def problem(self, code, row, column, value=None, expected=None, severity="problem", text="") -> Message:
        return Message(
            severity=severity,
            code=code,
            file=self.file,
            row=row,
            column=column,
            value=None if value is None else str(value),
            expected=expected,
            text=text,
        )

    def header(self, name: str) -> str | None:
        col = self.columns.get(name)
        return col.header if col else None

    # --- SQL ----------------------------------------------------------------------------------------

    def scan_sql(self, skip: int | None = None, piece: tuple[str, str] | None = None) -> tuple[str, dict]:
        """The typed read of the data lines after `skip` lines (of `piece`, (parameter, path), when given,
        else of the file); bad lines land in `temp.bulk_rejects`."""
        types = {f"c{j}": "VARCHAR" for j in range(self.width)}
        for f in self.mapped:
            types[f"c{self.columns[f.name].index}"] = _SQL_TYPE.get(f.kind, "VARCHAR")
        options = ", timestampformat = $tsf" if self.datetime_format else ""
        if self.decimal_mark == ",":
            options += ", decimal_separator = ','"
        sql = (
            f"read_csv(${piece[0] if piece else 'src'}, delim = $delim, header = false, "
            f"skip = {int(self.header_row if skip is None else skip)}, "
            "columns = $cols, quote = '\"', escape = '\"', auto_detect = false, strict_mode = false, "
            "store_rejects = true, rejects_table = 'bulk_rejects', rejects_scan = 'bulk_scans', "
            f"rejects_limit = {MAX_REJECTS + 1}, max_line_size = 2097152{options})"
        )
        params = {"delim": self.delimiter, "cols": types} | dict([piece or ("src", str(self.path))])
        if self.datetime_format:
            params["tsf"] = self.datetime_format
        return sql, params

    def _typed(self, f: FieldSpec) -> str:
        """A field's column of the typed read; a numeric date's 2-digit year is in this century, as the
        generic typing reads it (DuckDB's `%Y` takes `25` for the year 25)."""
        column = f"c{self.columns[f.name].index}"
        if f.kind == "datetime" and self.date_order:
            return f"(case when year({column}) < 100 then {column} + to_years(2000) else {column} end)"
        return column

    def every_cell_sql(self) -> tuple[str, dict]:
        """The typed read of the whole file with one aggregate per column, so that every cell is read and
        typed (and every bad line recorded)."""
        scan, params = self.scan_sql()
        return f"select count(columns(*)) from {scan}", params

    def insert_sql(
        self, table: str, import_id: int, parts: list[Part], table_columns: Iterable[str]
    ) -> tuple[str, dict]:
        """The insert into `table` (a store table, named by the code) of the store columns it has, by name,
        from the typed read of `parts` or from a workbook sheet registered as `bulk_sheet`."""
        params: dict[str, Any] = {}
        if self.arrow is not None:
            reads = [self._sheet_read()]
        else:
            fields = ", ".join(f'{self._typed(f)} as "{f.name}"' for f in self.mapped)
            reads = []
            for i, part in enumerate(parts):
                if part.piece is None:
                    scan, scan_params = self.scan_sql(self.header_row + part.start)
                    limit = "" if part.count is None else f" limit {int(part.count)}"
                else:  # the piece holds just the part's lines
                    scan, scan_params = self.scan_sql(0, (f"piece{i}", part.piece))
                    limit = ""
                params |= scan_params
                reads.append(
                    f"(select ordinality + {self.header_row + part.start} as p, {fields} "
                    f"from {scan} with ordinality{limit})"
                )
        wanted = set(table_columns)
        columns = ", ".join(f'{sql} as "{name}"' for name, sql in self.stored.items() if name in wanted)
        params |= self.case_params | {"import_id": import_id}
        return (
            f"insert into {table} by name select $import_id as import_id, cast(p as integer) as row_no, "
            f"{columns} from ({' union all '.join(reads)})",
            params,
        )

    def _sheet_read(self) -> str:
        from .workbooks import text_sql

        types = {f.name: str(f.type) for f in self.arrow.schema}
        picks = []
        for f in self.mapped:
            name = self.arrow.column_names[self.columns[f.name].index]
            column = '"' + name.replace('"', '""') + '"'
            if f.kind == "datetime":
                picks.append(f'cast({column} as timestamp) as "{f.name}"')
            elif f.kind in ("number", "integer"):
                picks.append(f'cast({column} as {_SQL_TYPE[f.kind]}) as "{f.name}"')
            else:
                picks.append(f'{text_sql(name, types[name])} as "{f.name}"')
        # the sheet's own order (the writer keeps insertion order for this read)
        return f"(select row_number() over () + {self.header_row} as p, {', '.join(picks)} from bulk_sheet)"

    def case_map(self, column: str, pairs: Iterable[tuple[str, str | None]], otherwise: str) -> str:
        """`case <column> when $a then $b ... else <otherwise> end`, the values bound as parameters."""
        branches = []
        for raw, value in pairs:
            n = len(self.case_params)
            self.case_params[f"m{n}"], self.case_params[f"v{n}"] = raw, value
            branches.append(f"when $m{n} then $v{n}")
        return f"(case {column} {' '.join(branches)} else {otherwise} end)" if branches else otherwise


class RowMap:
    """`row_no` of an inserted row (its part's record number, negative when flagged) -> the row as the
    user sees it (title and header rows counted), once the rejected lines are known.

    A part read with a `limit` that met rejected lines read as many lines past its end; `overlap` names
    those rows (the next part read them too) for the writer to delete. Rows typed the generic way hold
    minus their line.
    """

    def __init__(self, header_row: int, parts: list[Part], rejected: list[int]):
        self.header_row = header_row
        records = sorted(line - header_row for line in rejected)  # 1-based data records
        self.starts = [part.start for part in parts]
        self.kept, self.overlap, before = [], [], 0
        for start, count, piece in parts:
            end = None if count is None else start + count
            lost = sum(1 for r in records if r > start and (end is None or r <= end))
            self.kept.append(before)
            if end is not None:
                before += count - lost
                if lost and piece is None:
                    self.overlap.append((header_row + end - lost + 1, header_row + end))
        self.thresholds = [r - 1 - j for j, r in enumerate(records)]  # accepted rows before reject j

    def __call__(self, row_no: int) -> int:
        if row_no < 0:
            return -row_no
        p = row_no - self.header_row
        i = bisect.bisect_left(self.starts, p) - 1
        index = self.kept[i] + p - self.starts[i] - 1  # 0-based among accepted rows
        return self.header_row + 1 + index + bisect.bisect_right(self.thresholds, index)


# --- planning ----------------------------------------------------------------------------------------


@functools.cache
def _scratch_db() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def scratch() -> duckdb.DuckDBPyConnection:
    """A connection of its own to one in-memory database for the planning's small queries: opening a
    database costs 15-30 ms, a cursor of an open one a few microseconds (its temp tables are its own)."""
    return _scratch_db().cursor()


def plan(path: Path, options: LoadOptions | None = None, *, min_bytes: int | None = None) -> BulkPlan | None:
    """A plan when `path` is a large CSV (or one-sheet workbook, `loaders.workbooks.plan_bulk`) of a
    dataset with a bulk path and plain formats; else None."""
    options = options or LoadOptions()
    path = Path(path)
    limit = FAST_MIN_BYTES if min_bytes is None else min_bytes
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from .workbooks import plan_bulk

        return plan_bulk(path, options, min_bytes=min(limit, BOOK_MIN_BYTES)) if path.is_file() else None
    if path.suffix.lower() in {".json", ".yaml", ".yml"}:
        return None
    if options.system or options.model_version or options.sheet or not path.is_file():
        return None
    if path.stat().st_size < max(limit, 1):
        return None
    with path.open("rb") as fh:
        head = fh.read(_SAMPLE_BYTES)
    if not head.strip() or b"\0" in head or Document(path, head).kind is not None:
        return None
    if _sniff_encoding(head) == "cp1252":
        return None
    text = head.decode("utf-8-sig", errors="ignore")  # a bad byte is found by the writer's full read
    if len(head) == _SAMPLE_BYTES:
        text = text[: text.rfind("\n") + 1]  # whole lines only
    delimiter = _sniff_delimiter(text)
    grid = _records(text, delimiter)
    if grid is None:
        return None
    try:
        bp = _plan(path, options, delimiter, grid)
    except NotBulk:
        return None
    lines = text.splitlines(keepends=True)
    data = lines[bp.header_row :]
    header_bytes = len("".join(lines[: bp.header_row]).encode())
    average = max(1, len("".join(data).encode()) / max(1, len(data)))
    bp.estimated_rows = int((path.stat().st_size - header_bytes) / average)
    if _rejected_share(bp, grid[bp.header_row :]) * bp.estimated_rows > MAX_REJECTS:
        return None  # the typed read would only find that out slowly (DuckDB keeps every rejected line)
    return bp


def _rejected_share(bp: BulkPlan, data: list[list[str | None]]) -> float:
    """About how many of the sample's lines the typed read would reject (a number or date-time it cannot
    read): a column of "85%" or "0.5 ms" throughout sends the file the generic way at once."""
    in_format = _datetime_check(bp.datetime_format) if bp.datetime_format else None
    checks = []
    for f in bp.mapped:
        if f.kind in ("number", "integer"):
            checks.append((bp.columns[f.name].index, lambda t: _reads_as_number(t, bp.decimal_mark)))
        elif f.kind == "datetime" and in_format is not None:
            checks.append((bp.columns[f.name].index, in_format))
    bad = 0
    for row in data:
        cells = [(row[j] if j < len(row) else None, check) for j, check in checks]
        bad += any(cell is not None and cell.strip() and not check(cell.strip()) for cell, check in cells)
    return bad / max(1, len(data))


def _reads_as_number(text: str, mark: str) -> bool:
    if mark == ",":
        if "." in text:
            return False
        text = text.replace(",", ".")
    try:
        float(text)
    except ValueError:
        return False
    return True


def _records(text: str, delimiter: str) -> list[list[str | None]] | None:
    """The sample's records; None when one spans lines or a line is empty (the generic path's cases)."""
    lines = text.splitlines()
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        return None
    if len(rows) != len(lines) or any(not line.strip("\r") for line in lines):
        return None
    return [[c or None for c in row] for row in rows]


def _plan(path: Path, options: LoadOptions, delimiter: str, grid: list[list[str | None]]) -> BulkPlan:
    bp = plan_grid(path, options, grid, delimiter=delimiter)
    data = grid[bp.header_row :]
    formats = {
        _datetime_format(_column(data, bp.columns[f.name].index), options, delimiter)
        for f in bp.mapped
        if f.kind == "datetime"
    }
    if len(formats) > 1 or None in formats:
        raise NotBulk("date-times of several formats, or neither ISO nor numeric dates")
    bp.datetime_format = formats.pop() if formats else None
    if bp.datetime_format and bp.datetime_format[:2] in ("%d", "%m"):
        bp.date_order = "dmy" if bp.datetime_format.startswith("%d") else "mdy"
    _decimal_marks(bp)
    return bp


def as_typed(cell: str | None) -> str | None:
    """A cell as the generic typing sees it (`loaders.validate`): trimmed, a formula escape undone."""
    text = (cell or "").strip(_TRIMMED)
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        text = text[1:]
    return text or None


def _decimal_marks(bp: BulkPlan) -> None:
    """The decimal mark DuckDB reads the number columns with: a dot, or a comma when the sample shows
    decimal commas and no dot decimals (a European export); the columns the sample decides. A column
    with dot decimals in the sample is one where a comma is a bad number, as on the generic path; one
    with dot decimals beside another with decimal commas needs the generic path (one mark per read).

    The rest is known from the rejected lines alone (`fastcheck.retype`): the typed read takes no
    number with the other mark, so every cell that could turn the generic typing's decision is among
    them."""
    dots, commas = set(), set()
    for f in bp.mapped:
        if f.kind in ("number", "integer"):
            values = [v for v in map(as_typed, bp.sample[f.name]) if v]
            if any(_DOT_DECIMAL.fullmatch(v) for v in values):
                dots.add(f.name)
            elif any(_COMMA_DECIMAL.fullmatch(v) for v in values):
                commas.add(f.name)
    if dots and commas:
        raise NotBulk("dot decimals in one column, decimal commas in another")
    bp.decimal_mark, bp.marked = (",", commas) if commas else (".", dots)


def mark_conflict(bp: BulkPlan, cell: str | None) -> bool:
    """Whether a rejected line's number cell could make the generic typing decide its column's decimal
    mark otherwise than the read did: under a comma, a cell with a dot (the generic typing would then
    read the column with dots, or strip the dot as a thousands mark); under a dot, a decimal comma in a
    column whose sample showed no dot decimals (dot decimals the read took would decide it)."""
    text = as_typed(cell)
    if text is None:
        return False
    if bp.decimal_mark == ",":
        return "." in text
    return _COMMA_DECIMAL.fullmatch(text) is not None


def plan_grid(
    path: Path,
    options: LoadOptions,
    grid: list[list[str | None]],
    *,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> BulkPlan:
    """What the first rows of a table say: its dataset (one with a bulk path), header, columns, as-of."""
    from .formats import FORMATS
    from .formats._base import Tables

    contracts = [CONTRACTS[options.dataset]] if options.dataset else list(CONTRACTS.values())
    with scratch() as con:
        head = grid[:_HEAD_ROWS]
        width = max(len(r) for r in head)
        _stage_head(con, "bulk_head", head, width)
        raw = RawSheet(name=sheet, table="bulk_head", width=width, rows=len(head), delimiter=delimiter)
        tables = Tables(con, [raw], path)  # one, so that every format looks at the same fetched rows
        if any(f.kind == "table" and f.recognise(tables) for f in FORMATS):
            raise NotBulk("a tool's export, read by its source format")
        found = _detect(con, raw, contracts)
        if found is None:
            raise NotBulk("no dataset recognised")
        (complete, *_), header_row, contract, columns, cells = found
        from .fastcheck import BULK

        bulk = BULK.get(contract.dataset)
        if bulk is None or not complete or header_row > len(grid):
            raise NotBulk("no bulk path for this dataset, or a required column is missing")
        if set(columns) & bulk.unsupported or any(contract.field(n).kind not in bulk.kinds for n in columns):
            raise NotBulk("a column the bulk path does not read")
        as_of_keys = {norm(a) for a in contract.as_of_aliases}
        if not options.as_of and any(c and norm(c) in as_of_keys for c in cells):
            raise NotBulk("the as-of date comes from a column")
        as_of, as_of_source = _as_of(con, raw, header_row, cells, contract, path, options)
    data = grid[header_row:]
    mapped = [f for f in contract.fields if f.name in columns]
    sample = {
        f.name: sorted(
            {r[columns[f.name].index] for r in data if columns[f.name].index < len(r)} - {None}, key=str
        )
        for f in mapped
    }
    prepared = Prepared(
        dataset=contract.dataset,
        sheet=sheet,
        header_row=header_row,
        rows=0,
        store_table=None,
        as_of=as_of,
        as_of_source=as_of_source,
        scope=options.scope,
        mapping={col.header: name for name, col in columns.items()},
        value_maps={},
        messages=[],
    )
    return BulkPlan(
        path=path,
        contract=contract,
        bulk=bulk,
        options=options,
        header_row=header_row,
        delimiter=delimiter or ",",
        width=max(len(r) for r in grid[:201]),  # as the generic reader counts columns
        columns=columns,
        datetime_format=None,
        marked=set(),
        sample=sample,
        prepared=prepared,
        mapped=mapped,
        sheet=sheet,
    )


def _stage_head(con, table: str, rows: list[list[str | None]], width: int) -> None:
    """The first rows as a staged sheet (as `loaders.reading` stages one), without Arrow or pandas."""
    cells = ", ".join(f"c{j} varchar" for j in range(width))
    con.execute(f"create or replace temp table {table} (row_no integer, {cells})")
    values = [[i, *(list(r) + [None] * width)[:width]] for i, r in enumerate(rows, start=1)]
    insert_rows(con, table, values, ["integer"] + ["varchar"] * width)


def _column(rows: list[list[str | None]], index: int) -> list[str]:
    return [r[index] for r in rows if index < len(r) and r[index] and r[index].strip()]


def _datetime_format(values: list[str], options: LoadOptions, delimiter: str) -> str | None:
    """The format of most of the sample's date-times; the others become rejected lines."""
    for pattern, fmt in _DATETIME_FORMATS:
        if values and sum(1 for v in values if pattern.fullmatch(v)) > len(values) / 2:
            return fmt
    return _numeric_dates(values, options, delimiter)


def _numeric_dates(values: list[str], options: LoadOptions, delimiter: str) -> str | None:
    """The DuckDB format of most of the sample's date-times when they are numeric dates (`31/01/2025
    14:05`), in the order the generic typing reads them; None when the sample does not tell the order
    (the generic path then decides over the whole column, or says it cannot)."""
    found = [m for m in map(_NUMERIC_DATE.fullmatch, values) if m]
    kinds = [_kind(m) for m in found]
    if not kinds:
        return None
    kind = max(set(kinds), key=kinds.count)
    if kinds.count(kind) <= len(values) / 2:
        return None
    same = [m for m, k in zip(found, kinds, strict=True) if k == kind]
    order = date_order(
        max(int(m[1]) for m in same), max(int(m[3]) for m in same), options.dayfirst, delimiter == ";"
    )
    if order is None:
        return None
    separator, clock = kind
    parts = ["%d", "%m"] if order == "dmy" else ["%m", "%d"]
    return separator.join([*parts, "%Y"]) + _CLOCKS[clock]


def _datetime_check(fmt: str) -> Callable[[str], bool]:
    """Whether a cell is in one of the typed read's date-time formats (as the sample's were matched)."""
    if fmt[:2] in ("%d", "%m"):  # a numeric date: its separator and clock
        kind = (fmt[2], fmt.count(":"))
        return lambda text: (m := _NUMERIC_DATE.fullmatch(text)) is not None and _kind(m) == kind
    return next(p for p, f in _DATETIME_FORMATS if f == fmt).fullmatch


def _kind(date: re.Match[str]) -> tuple[str, int]:
    """A numeric date's separator and clock (0: no time, 1: to the minute, 2: to the second)."""
    return date[2], 0 if date[5] is None else 1 + (date[6] is not None)
