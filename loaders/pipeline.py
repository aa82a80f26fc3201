"""From a file on disk to `Prepared` sheets: read, recognise the dataset, map headers, type, check.

`prepare` never writes the store: it works in the staging connection it is given (an in-memory one for a
dry run; the writer's own connection, in temporary tables, for a real load).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from pydantic import BaseModel, ConfigDict

from . import (
    datasets,  # noqa: F401  (registers every contract)
    formats,
)
from .contracts import CONTRACTS, Contract, norm
from .messages import BadOption, LoadError, Message, UnknownDataset, UnreadableFile, bounded
from .reading import RawSheet, read_file
from .validate import Column, type_sheet

__all__ = ["FilePlan", "LoadOptions", "Prepared", "prepare", "sha256_of", "quarter_end"]

_HEADER_SCAN_ROWS = 30
_QUARTER = re.compile(r"(\d{4})[-_ ]?Q([1-4])", re.I)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class LoadOptions(BaseModel):
    """What the user told us about a file (all optional)."""

    model_config = ConfigDict(frozen=True)

    dataset: str | None = None
    as_of: dt.date | None = None
    scope: str = "organisation"
    dayfirst: bool | None = None
    sheet: str | None = None
    system: str | None = None  # the AI system of a monitoring export that does not name it
    model_version: str | None = None  # the model version of a monitoring export that does not say it


@dataclass
class Prepared:
    """One sheet, understood and checked, ready for the writer (or refused)."""

    dataset: str
    sheet: str | None
    header_row: int
    rows: int
    store_table: str | None
    as_of: dt.date
    as_of_source: str
    scope: str
    mapping: dict[str, str]  # header in the file -> field
    value_maps: dict[str, dict[str, str]]
    messages: list[Message]
    context: dict[str, str] = field(default_factory=dict)  # source format and context used (loaders.formats)
    summary: list[str] = field(default_factory=list)  # e.g. a monitoring import's points and breaches

    @property
    def problems(self) -> list[Message]:
        return [m for m in self.messages if m.severity == "problem"]

    @property
    def warnings(self) -> list[Message]:
        return [m for m in self.messages if m.severity == "warning"]


@dataclass
class FilePlan:
    """Everything learnt about one file."""

    path: Path
    sha256: str
    size: int
    sheets: list[Prepared] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)  # file-level problems and warnings
    source_format: str = "table"

    @property
    def problems(self) -> list[Message]:
        return [m for m in self.messages if m.severity == "problem"] + [
            p for s in self.sheets for p in s.problems
        ]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.sheets)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def quarter_end(year: int, quarter: int) -> dt.date:
    month = quarter * 3
    return (dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)


class _Checker:
    """What dataset checks get: the staging connection and a way to report with file/sheet filled in."""

    def __init__(self, file: str, sheet: str | None, columns: dict[str, Column]):
        self.file, self.sheet, self.columns = file, sheet, columns

    def header(self, name: str) -> str | None:
        col = self.columns.get(name)
        return col.header if col else None

    def problem(self, code, row, column, value, expected, severity="problem", text="") -> Message:
        return Message(
            severity=severity,
            code=code,
            file=self.file,
            sheet=self.sheet,
            row=row,
            column=column,
            value=None if value is None else str(value),
            expected=expected,
            text=text,
        )


def _match_header(
    cells: list[str | None], contract: Contract, keys: list[str] | None = None
) -> dict[str, Column]:
    """Field -> the first column not taken yet whose header is one of its names (`keys`: `norm` of each cell)."""
    at: dict[str, list[int]] = {}
    for j, k in enumerate([norm(c) if c else "" for c in cells] if keys is None else keys):
        at.setdefault(k, []).append(j)
    found: dict[str, Column] = {}
    taken: set[int] = set()
    for f in contract.fields:
        for alias in f.header_keys:
            hit = next((j for j in at.get(alias, ()) if j not in taken), None)
            if hit is not None:
                found[f.name] = Column(index=hit, header=str(cells[hit]).strip())
                taken.add(hit)
                break
    return found


def _detect(con, raw: RawSheet, contracts: list[Contract]):
    """Best (score, row_no, contract, columns, cells) over the first rows of a sheet."""
    head = con.execute(f"select * from {raw.table} order by row_no limit {_HEADER_SCAN_ROWS}").fetchall()
    best = None
    for record in head:
        row_no, cells = record[0], list(record[1:])
        if sum(c is not None for c in cells) < 2:
            continue
        keys = [norm(c) if c else "" for c in cells]
        for contract in contracts:
            columns = _match_header(cells, contract, keys)
            required = sum(1 for f in contract.required if f.name in columns)
            score = (required == len(contract.required), len(columns), required)
            if len(columns) >= 2 and (best is None or score > best[0]):
                best = (score, row_no, contract, columns, cells)
    return best


def _missing_columns(contract: Contract, columns: dict[str, Column], cells: list, plan_file: str, sheet):
    present = [str(c).strip() for c in cells if c]
    unmatched = [h for h in present if norm(h) not in {norm(col.header) for col in columns.values()}]
    out = []
    for f in contract.required:
        if f.name in columns:
            continue
        accepted = [f.name, *f.aliases]
        guesses = [
            h for h in unmatched if difflib.get_close_matches(norm(h), f.alias_keys(), n=1, cutoff=0.6)
        ]
        close = ", ".join(repr(g) for g in guesses[:3])
        out.append(
            Message(
                severity="problem",
                code="missing_column",
                file=plan_file,
                sheet=sheet,
                column=f.name,
                expected="a column named one of: " + ", ".join(repr(a) for a in accepted[:8]),
                text=(
                    f"closest in the file: {close}"
                    if close
                    else f"columns found: {', '.join(map(repr, present[:12]))}"
                ),
            )
        )
    return out


def _as_of(con, raw: RawSheet, header_row: int, cells, contract: Contract, path: Path, options: LoadOptions):
    if options.as_of:
        return options.as_of, "option"
    alias_keys = {norm(a) for a in contract.as_of_aliases}
    for j, cell in enumerate(cells):
        if cell and norm(cell) in alias_keys:
            values = {
                r[0]
                for r in con.execute(
                    f"select distinct trim(c{j}) from {raw.table} where row_no > $h and nullif(trim(c{j}), '') is not null",
                    {"h": header_row},
                ).fetchall()
            }
            parsed = {_parse_day(v) for v in values}
            if len(parsed) == 1 and None not in parsed:
                return parsed.pop(), f"column {str(cell).strip()!r}"
    stem = path.stem
    if m := _ISO_DATE.search(stem):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])), "file name"
        except ValueError:
            pass
    if m := _QUARTER.search(stem):
        return quarter_end(int(m[1]), int(m[2])), "file name"
    return dt.date.today(), "import day"


def _parse_day(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _prepare_sheet(con, raw: RawSheet, found, path: Path, options: LoadOptions, prefix: str) -> Prepared:
    from .datasets import CHECKS

    _, header_row, contract, columns, cells = found
    sheet = raw.name
    as_of, as_of_source = _as_of(con, raw, header_row, cells, contract, path, options)
    messages = _missing_columns(contract, columns, cells, path.name, sheet)
    mapping = {col.header: name for name, col in columns.items()}
    prepared = Prepared(
        dataset=contract.dataset,
        sheet=sheet,
        header_row=header_row,
        rows=0,
        store_table=None,
        as_of=as_of,
        as_of_source=as_of_source,
        scope=options.scope,
        mapping=mapping,
        value_maps={},
        messages=messages,
    )
    if messages:
        return prepared
    typed = type_sheet(
        con,
        raw.table,
        contract,
        columns,
        header_row,
        file=path.name,
        sheet=sheet,
        dayfirst=options.dayfirst,
        locale_dayfirst=raw.delimiter == ";",
        prefix=prefix,
    )
    prepared.messages.extend(typed.problems)
    prepared.value_maps = typed.value_maps
    prepared.rows = typed.rows
    if typed.rows == 0:
        prepared.messages.append(
            Message(
                severity="problem",
                code="no_rows",
                file=path.name,
                sheet=sheet,
                row=header_row,
                text="the header was found but no data rows follow it",
            )
        )
        return prepared
    check = CHECKS.get(contract.dataset)
    prepared.messages.extend(check(con, typed.table, _Checker(path.name, sheet, columns)) if check else [])
    prepared.messages = bounded(prepared.messages)
    prepared.store_table = f"{typed.table}_store"
    return prepared


def prepare(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions | None = None) -> FilePlan:
    """Read and check one file in the staging connection `con`; collect every problem."""
    options = options or LoadOptions()
    path = Path(path)
    if options.dataset and options.dataset not in CONTRACTS:
        raise BadOption(
            f"unknown dataset {options.dataset!r}; datasets: {', '.join(sorted(CONTRACTS))}", file=path.name
        )
    plan = FilePlan(path=path, sha256="", size=path.stat().st_size if path.is_file() else 0)
    try:
        # the digest comes first, so a refused (even unreadable) file is still identified in the log
        plan.sha256 = sha256_of(path) if path.is_file() else ""
        if formats.adapt_document(con, path, options, plan, _prepare_sheet):  # JSON / YAML exports
            return plan
        raws = read_file(con, path)
        if options.sheet and options.sheet not in {raw.name for raw in raws}:
            sheets = ", ".join(repr(raw.name) for raw in raws if raw.name is not None) or "none (a CSV file)"
            raise BadOption(f"there is no sheet named {options.sheet!r}; sheets: {sheets}", file=path.name)
        chosen = [raw for raw in raws if not options.sheet or raw.name == options.sheet]
        if formats.adapt_tables(con, path, chosen, options, plan, _prepare_sheet):  # tool exports
            return plan
        contracts = [CONTRACTS[options.dataset]] if options.dataset else list(CONTRACTS.values())
        candidates = []
        for raw in raws:
            if options.sheet and raw.name != options.sheet:
                continue
            found = _detect(con, raw, contracts)
            candidates.append((raw, found))
        matched = [(raw, found) for raw, found in candidates if found]
        if not matched:
            raise UnknownDataset(_unknown_text(con, raws, options), file=path.name)
        for raw, found in candidates:
            if not found:
                plan.messages.append(
                    Message(
                        severity="warning",
                        code="sheet_skipped",
                        file=path.name,
                        sheet=raw.name,
                        text="matches no dataset; skipped",
                    )
                )
        for index, (raw, found) in enumerate(matched):
            plan.sheets.append(_prepare_sheet(con, raw, found, path, options, prefix=f"stage{index}"))
    except LoadError as exc:
        exc.file = exc.file or path.name
        plan.messages.append(exc.message())
    except duckdb.Error as exc:  # the engine refused the content: a refusal, never a traceback
        text = str(exc).splitlines()[0][:300]
        if isinstance(exc, duckdb.OutOfMemoryException):
            text = f"too large for the memory loading may take ({_memory_limit(con)}; AIMS_LOAD_MEMORY sets it): {text}"
        plan.messages.append(UnreadableFile(f"cannot be read: {text}", file=path.name).message())
    return plan


def _memory_limit(con: duckdb.DuckDBPyConnection) -> str:
    try:
        return con.execute("select current_setting('memory_limit')").fetchone()[0]
    except duckdb.Error:
        return "its limit"


def _unknown_text(con, raws: list[RawSheet], options: LoadOptions) -> str:
    names = ", ".join(f"{c.dataset} ({c.title})" for c in CONTRACTS.values())
    seen = []
    for raw in raws[:3]:
        first = con.execute(f"select * from {raw.table} order by row_no limit 5").fetchall()
        cells = [str(c).strip() for rec in first for c in rec[1:] if c]
        seen.append(f"{raw.name or 'file'}: {', '.join(repr(c) for c in cells[:8]) or '(empty)'}")
    wanted = f"dataset {options.dataset!r}" if options.dataset else "any dataset"
    return (
        f"no sheet has the columns of {wanted}; datasets: {names}; found: {' | '.join(seen)}; "
        f"use --dataset to choose one; {formats.supported()}"
    )
