"""What every source-format adapter shares: the registry entry, the staged result, refusals and helpers.

An adapter sees a file either as a *document* (JSON or YAML text, parsed by the adapter) or as the staged
*tables* the generic reader already made (`loaders.reading`: one text table per sheet, `row_no` plus
`c0`, `c1` …, merged ranges filled, cached formula values). It hands back `Staged` tables: one text
cell per field of an existing dataset, one row per record, each row carrying the row number a user sees
in the file. The pipeline then types and checks them exactly like a file recognised by its headers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import duckdb

from ..catalog import catalog_rows
from ..contracts import norm
from ..messages import LoadError, Message

__all__ = [
    "Document",
    "Format",
    "Refused",
    "Sheet",
    "Staged",
    "UnknownFormat",
    "cell_number",
    "dedupe",
    "iso42001_id",
    "strip_escape",
]


class Refused(LoadError):
    """The file was recognised, and it is not (or not yet) data of a dataset: the text says what it is
    and what is missing."""

    code = "not_a_dataset"


class MissingContext(LoadError):
    """The file is understood, but something it does not say (the AI system) must be given as an option."""

    code = "missing_context"


class UnknownFormat(LoadError):
    """A JSON or YAML document that no adapter recognises."""

    code = "unknown_format"


@dataclass
class Staged:
    """One table an adapter hands to the pipeline: text cells for the fields of `dataset`."""

    dataset: str
    fields: list[str]  # staged column j holds field fields[j]
    sources: dict[str, str]  # field -> where it comes from in the file (shown as the column mapping)
    rows: list[tuple[int, list[str | None]]]  # (row number in the file, one cell per field)
    sheet: str | None = None
    context: dict[str, str] = field(default_factory=dict)  # what was used and where it came from
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)  # adapter mappings shown to users
    messages: list[Message] = field(default_factory=list)  # warnings found while adapting
    as_of: tuple[dt.date, str] | None = None  # the import's as-of date and its source, when the file says
    extras: dict[str, list[Any]] = field(default_factory=dict)  # controls: score / score_scale per row


@dataclass(frozen=True)
class Format:
    """One source format: how it is recognised from its content and how it becomes staged tables."""

    name: str
    title: str
    kind: Literal["document", "table"]
    datasets: tuple[str, ...]  # where its rows go; empty when it is recognised only to be refused
    recognise: Callable[[Any], bool]
    stage: Callable[[Any, Any], list[Staged]]


# --- documents (JSON, YAML) --------------------------------------------------------------------------

_DROPPED_KEYS = {"widget", "widgets", "tests_widgets"}  # Evidently's rendering payload: never kept


def _drop_widgets(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {k: v for k, v in pairs if k not in _DROPPED_KEYS}


class Document:
    """A JSON or YAML file, recognised from its first bytes (whatever its name)."""

    def __init__(self, path: Path, head: bytes):
        self.path, self.head = path, head

    @staticmethod
    def kind_of(head: bytes) -> str | None:
        body = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if body[:1] in (b"{", b"["):
            return "json"
        first = next((ln for ln in body.splitlines() if ln.strip() and not ln.startswith(b"#")), b"")
        if re.match(rb"^(---\s*$|[A-Za-z_][\w-]*:(\s|$))", first) and b"," not in first[:40]:
            return "yaml"
        return None

    @cached_property
    def kind(self) -> str | None:
        return self.kind_of(self.head)

    @cached_property
    def text(self) -> str:
        raw = self.path.read_bytes()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return raw.decode("cp1252", errors="replace")

    @cached_property
    def data(self) -> Any:
        """The parsed JSON (widgets dropped while parsing); None when it does not parse."""
        if self.kind != "json":
            return None
        try:
            return json.loads(self.text, object_pairs_hook=_drop_widgets)
        except ValueError:
            return None


# --- tables (the generic reader's staged sheets) -------------------------------------------------------

_HEAD_ROWS = 40


class Sheet:
    """One staged sheet (or the one table of a CSV), read lazily from the staging connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, raw: Any, path: Path):
        self.con, self.raw, self.path = con, raw, path
        self.name: str | None = raw.name
        self.delimiter: str | None = raw.delimiter

    def _fetch(self, limit: int | None) -> list[tuple[int, list[str | None]]]:
        sql = f"select * from {self.raw.table} order by row_no" + (f" limit {limit}" if limit else "")
        return [(r[0], [_clean_cell(c) for c in r[1:]]) for r in self.con.execute(sql).fetchall()]

    @cached_property
    def head(self) -> list[tuple[int, list[str | None]]]:
        return self._fetch(_HEAD_ROWS)

    @cached_property
    def rows(self) -> list[tuple[int, list[str | None]]]:
        return self._fetch(None)

    def header_at(self, keys: Iterable[str], *, within: int = 12, at_least: int | None = None):
        """The first row (row_no, normalised cells) holding at least `at_least` (default all) of `keys`."""
        wanted = {norm(k) for k in keys}
        need = len(wanted) if at_least is None else at_least
        for row_no, cells in self.head[:within]:
            found = {norm(c) for c in cells if c}
            if len(found & wanted) >= need:
                return row_no, [norm(c) if c else "" for c in cells]
        return None


class Tables:
    """Every staged sheet of one file."""

    def __init__(self, con: duckdb.DuckDBPyConnection, raws: list[Any], path: Path):
        self.con, self.path = con, path
        self.sheets = [Sheet(con, raw, path) for raw in raws]

    @property
    def is_workbook(self) -> bool:
        return any(s.name is not None for s in self.sheets)

    def sheet(self, name: str) -> Sheet | None:
        return next((s for s in self.sheets if s.name == name), None)


def _clean_cell(value: Any) -> str | None:
    """A staged cell as adapters see it: trimmed, a formula-injection escape (`'=…`, `'-0.5`) undone."""
    if value is None:
        return None
    text = strip_escape(str(value).strip(" \t\r\n\u00a0"))
    return text or None


# --- helpers ----------------------------------------------------------------------------------------------

_ESCAPED = re.compile(r"^'[=+\-@\t\r]")


def strip_escape(text: str | None) -> str | None:
    """Undo spreadsheet formula-injection escaping: a leading `'` before `= + - @ tab CR` (MLflow UI,
    CISO Assistant)."""
    if text and _ESCAPED.match(text):
        return text[1:]
    return text


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def cell_number(text: Any, *, decimal_comma: bool = False) -> float | None:
    """A finite number written in a cell (`'-0.5`, `3,5` with a decimal comma, `2022.0`); None otherwise."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text) if math.isfinite(text) else None
    body = strip_escape(str(text).strip().replace("\u00a0", "").replace(" ", ""))
    if body and decimal_comma and re.fullmatch(r"[+-]?\d+,\d+", body):
        body = body.replace(",", ".")
    if not body or not _NUMBER.match(body):
        return None
    number = float(body)
    return number if math.isfinite(number) else None


def number_text(number: float | int | None) -> str | None:
    """A number as a staged text cell (round-trips exactly; integers without `.0`)."""
    if number is None:
        return None
    if isinstance(number, bool):
        return None
    if float(number).is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(float(number))


def dedupe(headers: list[str | None]) -> list[str]:
    """Header names made unique: a repeated name gets `__2`, `__3` … (AIID's `AI System` appears twice)."""
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        name = (h or "").strip()
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}__{seen[name]}")
    return out


_ASSESSABLE = None


def iso42001_id(text: str | None, kinds: tuple[str, ...] = ("subclause", "control")) -> str | None:
    """The ISO/IEC 42001 catalog id written in `text` (`A.6.2.6`, ` a6.2.6 `, `urn:…:iso42001-2023:4.1`)."""
    if not text:
        return None
    compact = re.sub(r"\s+", "", re.sub(r"^.*iso42001-2023:", "", str(text))).upper()
    compact = re.sub(r"^(CLAUSE|ANNEX)", "", compact)
    compact = re.sub(r"^A\.?(\d)", r"A.\1", compact).rstrip(".")
    kinds_of = {r["id"]: r["kind"] for r in catalog_rows()}
    return compact if kinds_of.get(compact) in kinds else None


def file_message(code: str, file: str, text: str, *, severity: str = "warning", **where: Any) -> Message:
    return Message(severity=severity, code=code, file=file, text=text, **where)
