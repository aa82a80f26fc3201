"""Typing and validation of a staged sheet, in SQL over the whole sheet.

Input: a staged text table (`loaders.reading`), the header row and the column of each field. Output: a
typed temporary table (`row_no` plus one column per contract field) and every problem found, each with
its row and column. Vocabulary look-ups run on the distinct values only, so millions of rows cost one
join, never a Python loop over rows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import duckdb

from .catalog import ensure_catalog
from .contracts import Contract, FieldSpec
from .messages import LISTED, Message, more_of
from .reading import insert_rows
from .vocab import VOCABULARIES, special_problem, spellings

__all__ = ["Column", "Typed", "requirement_sql", "type_sheet"]

_DMY = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T].*)?$"
_TEXT_DATE_FORMATS = [
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d/%b/%y",
    "%d/%b/%Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d/%b/%y %I:%M %p",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
]


# A field missing from the file is a typed null column (and so is its `__raw`), so checks can name it.
_SQL_TYPES = {"date": "date", "datetime": "timestamp", "number": "double", "integer": "bigint"}


@dataclass
class Column:
    """Where a field sits in the file."""

    index: int
    header: str


@dataclass
class Typed:
    table: str
    rows: int
    problems: list[Message] = field(default_factory=list)
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> raw -> canonical


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _clean(col: str) -> str:
    stripped = f"trim({col}, ' ' || chr(9) || chr(10) || chr(13) || chr(160))"
    unescaped = f"case when regexp_matches({stripped}, '^''[=+\\-@\\t\\r]') then substr({stripped}, 2) else {stripped} end"
    return f"nullif({unescaped}, '')"


def listed(con, columns: str, rows_sql: str, message, *, order: str = "row_no") -> list[Message]:
    """`message(*row)` for the first `LISTED` rows of `rows_sql` (`from ... where ...`, built from the
    code), then, when there are more, one message that counts the rest (`loaders.messages`)."""
    rows = con.execute(f"select {columns} {rows_sql} order by {order} limit {LISTED}").fetchall()
    out = [message(*row) for row in rows]
    if len(rows) == LISTED and (total := con.execute(f"select count(*) {rows_sql}").fetchone()[0]) > LISTED:
        out.append(more_of(out[-1], total - LISTED))
    return out


class _Ctx:
    def __init__(self, con, contract, columns, file, sheet, dayfirst, locale_dayfirst, prefix):
        self.con, self.contract, self.columns = con, contract, columns
        self.file, self.sheet, self.dayfirst, self.locale_dayfirst = file, sheet, dayfirst, locale_dayfirst
        self.prefix = prefix
        self.problems: list[Message] = []
        self.value_maps: dict[str, dict[str, str]] = {}

    def problem(self, code, *, row=None, column=None, value=None, expected=None, text="", severity="problem"):
        self.problems.append(self.message(code, row, column, value, expected, text, severity))

    def message(self, code, row=None, column=None, value=None, expected=None, text="", severity="problem"):
        return Message(
            severity=severity,
            code=code,
            file=self.file,
            sheet=self.sheet,
            row=row,
            column=column,
            value=value,
            expected=expected,
            text=text,
        )


def date_order(
    first: int | None, second: int | None, dayfirst: bool | None, locale_dayfirst: bool
) -> str | None:
    """The order of a column's numeric dates ("dmy" or "mdy") from the largest first and second parts
    of its values: the data where it tells (a part above 12), else `--dayfirst`/`--monthfirst`, else a
    `;`-separated file's (European) day first; None when nothing tells (an ambiguous column)."""
    above = (first or 0) > 12, (second or 0) > 12
    if above == (True, False):
        return "dmy"
    if above == (False, True):
        return "mdy"
    if dayfirst is not None:
        return "dmy" if dayfirst else "mdy"
    if locale_dayfirst or all(above):
        return "dmy"
    return None


def _date_expr(ctx: _Ctx, f: FieldSpec, txt: str) -> str:
    v = _q(f.name)
    a, b, n, first = ctx.con.execute(
        f"select max(try_cast(regexp_extract({v}, $p, 1) as integer)), "
        f"max(try_cast(regexp_extract({v}, $p, 2) as integer)), "
        f"count(*) filter (where regexp_matches({v}, $p)), min(row_no) filter (where regexp_matches({v}, $p)) "
        f"from {txt}",
        {"p": _DMY},
    ).fetchone()
    order = date_order(a, b, ctx.dayfirst, ctx.locale_dayfirst) if n else "dmy"
    if order is None:
        order = "dmy"
        ctx.problem(
            "ambiguous_date",
            row=first,
            column=ctx.columns[f.name].header,
            expected="dates whose day-month order can be told (a day above 12), or --dayfirst / --monthfirst",
            text="every date in this column reads both day-first and month-first",
        )
    day, month = (1, 2) if order == "dmy" else (2, 1)
    y = f"try_cast(regexp_extract({v}, '{_DMY}', 3) as integer)"
    year = f"(case when {y} < 100 then 2000 + {y} else {y} end)"
    numeric = (
        f"printf('%04d-%02d-%02d', {year}, try_cast(regexp_extract({v}, '{_DMY}', {month}) as integer), "
        f"try_cast(regexp_extract({v}, '{_DMY}', {day}) as integer))"
    )
    formats = "[" + ", ".join(f"'{fmt}'" for fmt in _TEXT_DATE_FORMATS) + "]"
    return (
        f"case when {v} is null then null "
        f"when regexp_matches({v}, '^\\d{{4}}-\\d{{1,2}}-\\d{{1,2}}([ T].*)?$') "
        f"then try_cast(regexp_extract({v}, '^(\\d{{4}}-\\d{{1,2}}-\\d{{1,2}})', 1) as date) "
        f"when regexp_matches({v}, '^\\d{{4}}/\\d{{1,2}}/\\d{{1,2}}$') then cast(try_strptime({v}, '%Y/%m/%d') as date) "
        f"when regexp_matches({v}, '^\\d{{5}}(\\.\\d+)?$') "
        f"then date '1899-12-30' + cast(floor(cast({v} as double)) as integer) "
        f"when regexp_matches({v}, '{_DMY}') then try_cast({numeric} as date) "
        f"else cast(try_strptime({v}, {formats}) as date) end"
    )


def _datetime_expr(ctx: _Ctx, f: FieldSpec, txt: str) -> str:
    """Date-times: ISO (a UTC offset is converted to UTC), epoch milliseconds, else a date plus a time."""
    v = _q(f.name)
    clock = "(\\d{1,2}):(\\d{2})(?::(\\d{2}(?:\\.\\d+)?))?\\s*([AaPp][Mm])?\\s*$"
    hour = f"try_cast(regexp_extract({v}, '{clock}', 1) as integer)"
    pm = f"upper(regexp_extract({v}, '{clock}', 4))"
    hour24 = f"(case when {pm} = 'PM' and {hour} < 12 then {hour} + 12 when {pm} = 'AM' and {hour} = 12 then 0 else {hour} end)"
    seconds = f"coalesce(try_cast(nullif(regexp_extract({v}, '{clock}', 3), '') as double), 0)"
    time_of_day = (
        f"(case when regexp_matches({v}, '[ T]{clock}') then to_seconds({hour24} * 3600 "
        f"+ try_cast(regexp_extract({v}, '{clock}', 2) as integer) * 60 + {seconds}) "
        "else interval 0 second end)"
    )
    iso = "^\\d{4}-\\d{1,2}-\\d{1,2}[ T]\\d{1,2}:\\d{2}"
    offset = "(Z|[+-]\\d{2}:?\\d{2})$"
    return (
        f"case when {v} is null then null "
        f"when regexp_matches({v}, '^\\d{{12,}}$') then epoch_ms(cast({v} as bigint)) "
        f"when regexp_matches({v}, '{iso}') and regexp_matches({v}, '{offset}') "
        f"then timezone('UTC', try_cast({v} as timestamptz)) "
        f"when regexp_matches({v}, '{iso}') then try_cast({v} as timestamp) "
        f"else cast({_date_expr(ctx, f, txt)} as timestamp) + {time_of_day} end"
    )


def _number_expr(ctx: _Ctx, f: FieldSpec, txt: str) -> str:
    v = _q(f.name)
    commas, points = ctx.con.execute(
        f"select count(*) filter (where regexp_matches({v}, '^-?(\\d{{1,3}}(\\.\\d{{3}})+|\\d+),\\d+$')), "
        f"count(*) filter (where regexp_matches({v}, '^-?\\d+\\.\\d+$')) from {txt}"
    ).fetchone()
    body = v
    if commas and not points:  # decimal comma, decided for the whole column
        body = f"replace(replace({v}, '.', ''), ',', '.')"
    cast_to = "bigint" if f.kind == "integer" else "double"
    return f"try_cast({body} as {cast_to})"


def _map_expr(ctx: _Ctx, f: FieldSpec, txt: str) -> str:
    from .vocab import lookup

    v = _q(f.name)
    distinct = [
        r[0] for r in ctx.con.execute(f"select distinct {v} from {txt} where {v} is not null").fetchall()
    ]
    mapping = {raw: lookup(f.vocabulary, raw) for raw in distinct}
    ctx.value_maps[f.name] = {k: m for k, m in mapping.items() if m is not None}
    table = f"{ctx.prefix}_map_{f.name}"
    ctx.con.execute(f"create or replace temp table {table} (raw varchar, val varchar)")
    known = [(k, m) for k, m in mapping.items() if m is not None]
    insert_rows(ctx.con, table, known, ["varchar", "varchar"])
    blank = VOCABULARIES[f.vocabulary].get("")
    fallback = f"'{blank}'" if blank else "null"
    return f"(case when {v} is null then {fallback} else (select val from {table} m where m.raw = {v}) end)"


def _requirement_expr(ctx: _Ctx, f: FieldSpec) -> str:
    ensure_catalog(ctx.con)
    return requirement_sql(_q(f.name))


def requirement_sql(v: str, kinds: tuple[str, ...] = ("subclause", "control")) -> str:
    """SQL for the catalog id of the requirement written in expression `v` (null when unknown).

    The connection needs `aims_catalog` (`loaders.catalog.ensure_catalog`).
    """
    compact = f"upper(regexp_replace(regexp_replace({v}, '^.*iso42001-2023:', ''), '\\s+', '', 'g'))"
    fixed = f"regexp_replace(regexp_replace({compact}, '^(CLAUSE|ANNEX)', ''), '^A\\.?(\\d)', 'A.\\1')"
    trimmed = f"regexp_replace({fixed}, '\\.$', '')"
    allowed = ", ".join(f"'{k}'" for k in kinds if k.isidentifier())
    return f"(select id from aims_catalog c where c.id = {trimmed} and c.kind in ({allowed}))"


def _drop_heading_rows(con, txt: str, mapped: list[FieldSpec]) -> None:
    """Clause and objective headings (e.g. `4`, `A.2`) with no status or applicability are section rows,
    as in SoA workbooks and assessment exports: they are not requirements and are skipped."""
    keys = [f for f in mapped if f.kind == "requirement" and f.required]
    valued = " or ".join(f"{_q(g.name)} is not null" for g in mapped if g.kind in ("enum", "bool"))
    for f in keys:
        ensure_catalog(con)
        heading = requirement_sql(_q(f.name), ("clause", "objective"))
        con.execute(f"delete from {txt} where {heading} is not null and not ({valued or 'false'})")


def type_sheet(
    con: duckdb.DuckDBPyConnection,
    raw_table: str,
    contract: Contract,
    columns: dict[str, Column],
    header_row: int,
    *,
    file: str,
    sheet: str | None,
    dayfirst: bool | None = None,
    locale_dayfirst: bool = False,
    prefix: str = "stage",
) -> Typed:
    """Type every mapped field of a staged sheet; collect every problem with its row and column."""
    ctx = _Ctx(con, contract, columns, file, sheet, dayfirst, locale_dayfirst, prefix)
    txt = f"{prefix}_txt"
    mapped = [f for f in contract.fields if f.name in columns]
    selects = ", ".join(f"{_clean(f'c{columns[f.name].index}')} as {_q(f.name)}" for f in mapped)
    not_blank = " or ".join(f"{_clean(f'c{columns[f.name].index}')} is not null" for f in mapped) or "false"
    con.execute(
        f"create or replace temp table {txt} as select row_no, {selects} from {raw_table} "
        f"where row_no > $h and ({not_blank})",
        {"h": header_row},
    )
    _drop_heading_rows(con, txt, mapped)
    exprs = []
    for f in mapped:
        if f.kind == "date":
            expr = _date_expr(ctx, f, txt)
        elif f.kind == "datetime":
            expr = _datetime_expr(ctx, f, txt)
        elif f.kind in ("number", "integer"):
            expr = _number_expr(ctx, f, txt)
        elif f.kind in ("enum", "bool"):
            expr = _map_expr(ctx, f, txt)
        elif f.kind == "requirement":
            expr = _requirement_expr(ctx, f)
        else:
            expr = _q(f.name)
        exprs.append((f, expr))
    typed_cols = ", ".join(
        f"{expr} as {_q(f.name)}, {_q(f.name)} as {_q(f.name + '__raw')}" for f, expr in exprs
    )
    missing = [f for f in contract.fields if f.name not in columns]
    nulls = "".join(
        f", cast(null as {_SQL_TYPES.get(f.kind, 'varchar')}) as {_q(f.name)}, "
        f"cast(null as varchar) as {_q(f.name + '__raw')}"
        for f in missing
    )
    typed = f"{prefix}_typed"
    con.execute(f"create or replace temp table {typed} as select row_no, {typed_cols}{nulls} from {txt}")
    for f, _ in exprs:
        header = columns[f.name].header
        raw, val = _q(f.name + "__raw"), _q(f.name)
        if f.required and not (f.vocabulary and "" in VOCABULARIES[f.vocabulary]):
            missing = functools.partial(
                ctx.message, "missing_value", column=header, expected=f"a value for {f.name}"
            )
            ctx.problems += listed(con, "row_no", f"from {typed} where {raw} is null", missing)
        if f.kind != "text":
            bad = f"from {typed} where {raw} is not null and {val} is null"
            ctx.problems += listed(con, f"row_no, {raw}", bad, _bad_value(ctx, f, header))
    rows = con.execute(f"select count(*) from {typed}").fetchone()[0]
    return Typed(table=typed, rows=rows, problems=ctx.problems, value_maps=ctx.value_maps)


def _bad_value(ctx: _Ctx, f: FieldSpec, header: str):
    """The message for a value of `f` that its type or vocabulary does not take, at a row."""

    def message(row: int, value: str) -> Message:
        special = special_problem(f.vocabulary, value) if f.vocabulary else None
        code, expected = special or (f.problem_code, _expected(f))
        return ctx.message(code, row, header, value, expected)

    return message


def _expected(f: FieldSpec) -> str:
    if f.kind in ("enum", "bool") and f.vocabulary:
        return "one of " + ", ".join(spellings(f.vocabulary))
    return {
        "date": "a date (YYYY-MM-DD, DD/MM/YYYY or an Excel date)",
        "datetime": "a date or date-time (ISO 8601, DD/MM/YYYY HH:MM, epoch milliseconds)",
        "number": "a number",
        "integer": "a whole number",
        "requirement": "an ISO/IEC 42001 subclause (4.1 … 10.2) or Annex A control (A.2.2 … A.10.4)",
    }.get(f.kind, "a value")
