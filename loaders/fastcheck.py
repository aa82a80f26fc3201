"""What the generic path would say about rows the bulk path (`loaders.fastcsv`) inserted, and the
datasets the bulk path reads (`BULK`).

- Lines the typed read rejected are typed by the generic typing itself (`retype`): the same values, the
  same problems, the same row numbers.
- Text the generic path would trim or unescape is found on distinct values only (`text_values`), so a
  file that needs none (the usual case) costs one grouped scan, which also counts the values the
  dataset's checks count.
- Values of an enumeration the sample did not show are looked up like the generic path does
  (`enum_values`).
- The dataset's own checks run in SQL over the inserted rows (`Bulk.checks`), reporting like
  `loaders.datasets.<dataset>.check`.

Reads only: the writer (`store.bulk`) applies what these find.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import duckdb

from .contracts import FieldSpec
from .fastcsv import MAIN_ROWS, MAX_REJECTS, Bulk, BulkPlan, NotBulk, RowMap, as_typed, mark_conflict, scratch
from .messages import Message
from .reading import insert_rows
from .validate import _DMY as _DMY_SQL
from .validate import _clean, _expected, date_order, listed, type_sheet
from .vocab import VOCABULARIES, lookup, special_problem

__all__ = [
    "BULK",
    "MAX_REJECTS",
    "Retyped",
    "TextValues",
    "cleaned",
    "enum_problem",
    "enum_values",
    "missing",
    "rejected_lines",
    "retype",
    "text_values",
]

_DMY = re.compile(_DMY_SQL)  # a numeric date, as the generic typing finds one
_KEEP_REJECTS = {"CAST", "MISSING COLUMNS"}  # lines the generic typing can read as the generic path would
_CASE_LIMIT = 64  # distinct values of the sample mapped by a CASE expression


@dataclass
class Retyped:
    """Rejected lines typed by the generic typing: their problems, and their rows with the store's columns
    (`row_no` = the line; a value the generic typing refused is null)."""

    rows: int  # rows with a value in a mapped field (as the generic path counts rows)
    problems: list[Message]
    store_table: str


def rejected_lines(
    con: duckdb.DuckDBPyConnection, pieces: dict[str, int] | None = None
) -> list[tuple[int, str, str]]:
    """(line, error type, text) of each line the typed read set aside. `pieces`: the path of each piece
    of the file a part read (`fastcsv.Part`) -> the lines before it (DuckDB numbers a piece's lines from
    its own first line)."""
    pieces = pieces or {}
    found = con.execute(
        """select cast(r.line as bigint) + coalesce(p.before, 0) as line, min(r.error_type), min(r.csv_line)
           from temp.bulk_rejects r join temp.bulk_scans s using (scan_id, file_id)
           left join (select unnest($paths::varchar[]) as path, unnest($before::bigint[]) as before) p
             on p.path = s.file_path
           group by all order by line""",
        {"paths": list(pieces), "before": list(pieces.values())},
    ).fetchall()
    # a read stops recording at `MAX_REJECTS` + 1 (`BulkPlan.scan_sql`): its list is then not whole
    most = con.execute("select max(n) from (select count(*) as n from temp.bulk_rejects group by scan_id)")
    if len(found) > MAX_REJECTS or (most.fetchone()[0] or 0) > MAX_REJECTS:
        raise NotBulk(f"over {MAX_REJECTS} lines are not in the sampled format")
    if any(kind not in _KEEP_REJECTS for _, kind, _ in found):
        raise NotBulk("a line the typed reader cannot split as the generic reader does")
    return found


def retype(
    con: duckdb.DuckDBPyConnection, bp: BulkPlan, rejected: list[tuple[int, str, str]], table: str, where: str
) -> Retyped:
    """Type the rejected lines with the generic typing, as the generic path would type them (the typed
    read's rows are in `table`, `where`)."""
    rows = []
    for line, _, text in rejected:
        cells = [c or None for c in _one_record(text, bp.delimiter)]
        rows.append([line, *(cells + [None] * bp.width)[: bp.width]])
    field_at = {c.index: name for name, c in bp.columns.items()}
    numbers = {bp.columns[f.name].index: f.name for f in bp.mapped if f.kind in ("number", "integer")}
    for row in rows:
        for j, name in numbers.items():
            if (bp.decimal_mark == "," or name not in bp.marked) and mark_conflict(bp, row[1 + j]):
                raise NotBulk(f"a number in column {bp.header(name)!r} with the other decimal mark")
    # Row 0, dropped below: a number with the read's decimal mark, so the generic typing reads the
    # column with it, as it would over the whole file: under a dot, in the columns the sample decided
    # (a comma is then never a decimal); under a comma, in every number column (the rejected lines hold
    # no dot, so a column with no comma anywhere types the same either way).
    shown = "0,5" if bp.decimal_mark == "," else "0.5"
    synthetic = [0] + [
        shown if (bp.decimal_mark == "," and j in numbers) or field_at.get(j) in bp.marked else None
        for j in range(bp.width)
    ]
    for j, date in _date_orders(con, bp, table, where, rows).items():
        synthetic[1 + j] = date
    cells = ", ".join(f"c{j} varchar" for j in range(bp.width))
    con.execute(f"create or replace temp table bulk_rej_raw (row_no integer, {cells})")
    insert_rows(con, "bulk_rej_raw", [synthetic, *rows], ["integer"] + ["varchar"] * bp.width)
    typed = type_sheet(
        con,
        "bulk_rej_raw",
        bp.contract,
        bp.columns,
        -1,
        file=bp.file,
        sheet=None,
        dayfirst=bp.options.dayfirst,
        locale_dayfirst=bp.delimiter == ";",
        prefix="bulk_rej",
    )
    problems = [m for m in typed.problems if m.row != 0]
    con.execute(f"delete from {typed.table} where row_no = 0")
    count = con.execute(f"select count(*) from {typed.table}").fetchone()[0]
    return Retyped(count, problems, bp.bulk.retyped(con, typed.table))


def _date_orders(con, bp: BulkPlan, table: str, where: str, rows: list[list]) -> dict[int, str]:
    """For a read of numeric dates: the generic typing decides a column's day-month order over all its
    dates (`loaders.validate.date_order`), the typed rows' and the rejected lines'; when that is not the
    read's order, the file goes the generic way. Else, per column, a date (row 0 of the rejected lines)
    with a part above 12 where the whole column has one, so that their typing decides the same."""
    if not bp.date_order:
        return {}
    first, second = ("day", "month") if bp.date_order == "dmy" else ("month", "day")
    dates = {}
    for f in bp.mapped:
        if f.kind != "datetime":
            continue
        j, column = bp.columns[f.name].index, bp.raw(f.name)
        a, b = con.execute(
            f"select max({first}({column})), max({second}({column})) from {table} where {where} and {MAIN_ROWS}"
        ).fetchone()
        for row in rows:
            if parts := _DMY.match(as_typed(row[1 + j]) or ""):
                a, b = max(a or 0, int(parts[1])), max(b or 0, int(parts[2]))
        if date_order(a, b, bp.options.dayfirst, bp.delimiter == ";") != bp.date_order:
            raise NotBulk(f"the dates in column {bp.header(f.name)!r} read the other way round as a whole")
        dates[j] = f"{13 if (a or 0) > 12 else 1}/{13 if (b or 0) > 12 else 1}/2000"
    return dates


def _one_record(text: str, delimiter: str) -> list[str]:
    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if r]
    if len(records) != 1:
        raise NotBulk("a rejected line does not hold exactly one record")
    return records[0]


@dataclass
class TextValues:
    """What one grouped scan of a file's text columns found (`text_values`)."""

    # store column -> (value as read, value the generic path keeps) for text it would trim or unescape
    cleaning: dict[str, list[tuple[str, str | None]]]
    # store column the dataset's checks count (`Bulk.tallied`) -> (value as read, value kept, first
    # `row_no` holding it, rows holding it) for each of its values
    tally: dict[str, list[tuple[str, str | None, int, int]]]


def text_values(con, bp: BulkPlan, table: str, where: str) -> TextValues:
    """One scan groups every text column at once: the cleaning runs on the distinct values only, so it
    costs little when, as usual, nothing needs cleaning, and the values the checks count come with it
    (their first rows and how many rows hold them), where a scan of their own took as long again."""
    columns = list(bp.bulk.text_columns(bp))
    if not columns:
        return TextValues({}, {})
    sets = ", ".join(f'("{c}")' for c in columns)
    which = " ".join(f"when grouping(\"{c}\") = 0 then '{c}'" for c in columns)
    value = f"coalesce({', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)})"
    tallied = [c for c in columns if c in bp.bulk.tallied]
    found = con.execute(
        f"""select c, v, kept, first, n from (
                select c, v, {_clean("v")} as kept, first, n from (
                    select case {which} end as c, {value} as v, min(row_no) as first, count(*) as n
                    from {table} where {where} and {MAIN_ROWS} group by grouping sets ({sets})))
            where (v <> '' and v is distinct from kept) or (v is not null and list_contains($tallied::varchar[], c))""",
        {"tallied": tallied},
    ).fetchall()
    out = TextValues({}, {c: [] for c in tallied})
    for column, raw, kept, first, count in found:
        if raw != "" and raw != kept:
            out.cleaning.setdefault(column, []).append((raw, kept))
        if column in out.tally:
            out.tally[column].append((raw, kept, first, count))
    return out


def enum_values(con, bp: BulkPlan, table: str, where: str) -> dict[str, list[tuple]]:
    """Enum field -> (value as read, canonical value or None) for values the sample's CASE did not map."""
    out = {}
    for f in bp.mapped:
        if f.kind not in ("enum", "bool"):
            continue
        found = con.execute(
            f'select distinct "{f.name}_raw" from {table} where {where} and {MAIN_ROWS} '
            f'and "{f.name}" is null and "{f.name}_raw" is not null'
        ).fetchall()
        kept = cleaned(con, [v for (v,) in found])
        out[f.name] = [(v, _canonical(f, kept[v])) for (v,) in found]
    return out


def cleaned(con, values: list[str]) -> dict[str, str | None]:
    """Each value -> what the generic path keeps of it (trimmed, one formula escape undone, or None)."""
    if not values:
        return {}
    return dict(
        con.execute(f"select v, {_clean('v')} from (select unnest($vals) as v)", {"vals": values}).fetchall()
    )


def _canonical(f: FieldSpec, value: str | None) -> str | None:
    if value is None:
        return VOCABULARIES[f.vocabulary].get("")
    return lookup(f.vocabulary, value)


def enum_problem(bp: BulkPlan, f: FieldSpec, value: str, row: int) -> Message:
    special = special_problem(f.vocabulary, value) if f.vocabulary else None
    code, expected = special or (f.problem_code, _expected(f))
    return bp.problem(code, row, bp.header(f.name), value, expected)


def missing(bp: BulkPlan, name: str, row: int) -> Message:
    return bp.problem("missing_value", row, bp.header(name), expected=f"a value for {name}")


# --- monitoring -------------------------------------------------------------------------------------


def _name_key(expr: str) -> str:
    from .datasets._common import name_key

    return name_key(expr)


def _monitoring_store(bp: BulkPlan) -> dict[str, str]:
    def col(name: str) -> str:
        return f'"{name}"' if name in bp.columns else "null"

    # no `ai_system_key`: the store computes it from the name (`store.schema`, version 7)
    store = {
        "observed_at": col("observed_at"),
        "ai_system": col("ai_system"),
        "model_version": col("model_version"),
        "metric": col("metric"),
        "feature": col("feature"),
        "value": col("value"),
        "lower_threshold": col("lower_threshold"),
        "upper_threshold": col("upper_threshold"),
        "test_name": col("test_name"),
    }
    if "verdict" in bp.columns:
        f = bp.contract.field("verdict")
        known = [(v, _canonical(f, c)) for v, c in _samplecleaned(bp.sample["verdict"]).items()]
        store["verdict"] = bp.case_map(
            '"verdict"', [(v, c) for v, c in known if c is not None][:_CASE_LIMIT], "null"
        )
        store["verdict_raw"] = '"verdict"'
    return store


def _samplecleaned(values: list[str]) -> dict[str, str | None]:
    with scratch() as con:
        return cleaned(con, values)


def _monitoring_text(bp: BulkPlan) -> dict[str, str]:
    names = {"verdict_raw": "verdict"}
    columns = ["ai_system", "model_version", "metric", "feature", "test_name", "verdict_raw"]
    return {c: names.get(c, c) for c in columns if names.get(c, c) in bp.columns}


def _monitoring_retyped(con, typed: str) -> str:
    """Store rows of typed rejected lines, by the dataset's own SQL (`loaders.datasets.monitoring`)."""
    from .datasets import monitoring

    con.execute(
        f"create or replace temp table {typed}_bounds as " + monitoring.BOUNDS_SQL.format(typed=typed)
    )
    con.execute("create or replace temp table bulk_rej_store as " + monitoring.STORE_SQL.format(typed=typed))
    return "bulk_rej_store"


def _equal_hashes(con, sql: str) -> bool:
    """Whether two rows of `sql`'s `h` are equal: DuckDB hashes in parallel, NumPy sorts (5M hashes: 0.11 s,
    a third of DuckDB's `count(distinct ...)`, whose hash table takes every value). Equal hashes only say
    where to look: the caller compares the keys themselves. A relation's `fetchnumpy` streams the result
    into the arrays; an executed statement's first collects it whole (0.065 s against 0.03 s here)."""
    import numpy as np  # loaded while the typed read runs (`store.bulk._insert`)

    con.complete()  # a relation needs the connection's last result finished
    hashes = np.asarray(con.sql(sql).fetchnumpy()["h"])
    hashes.sort()
    return bool((hashes[1:] == hashes[:-1]).any())


def _monitoring_checks(
    bp: BulkPlan, con, table: str, where: str, row_of: RowMap, tally: dict[str, list[tuple]]
) -> list[Message]:
    """The rules of `loaders.datasets.monitoring.check`, over the rows of one import in `table` (`tally`:
    `TextValues.tally` of the rows the typed read inserted)."""
    out: list[Message] = []
    names = tally.get("ai_system", [])  # the typed read's rows, counted by the text scan
    keys = dict(
        con.execute(
            f"select v, {_name_key('v')} from (select unnest($kept::varchar[]) as v)",
            {"kept": [kept for _, kept, _, _ in names]},
        ).fetchall()
    )
    system_key = _name_key("ai_system")  # the store keeps the name; its view computes the key from it
    generic = con.execute(  # lines the typed read rejected, typed the generic way (`row_no` = minus the line)
        f"""select ai_system, {system_key}, min(abs(row_no)), count(*)
            from {table} where {where} and row_no < 0 group by all"""
    ).fetchall()
    spellings: dict[str | None, set[str | None]] = {}
    for name, key in [(kept, keys[kept]) for _, kept, _, _ in names] + [(n, k) for n, k, _, _ in generic]:
        spellings.setdefault(key, set()).add(name)
    key = ["observed_at", system_key, "model_version", "metric", "feature"]
    parts = ", ".join(key)
    # when no two names of the file share a key, the same name is the same key: the hashes take the name
    # as stored, where the key would be computed for every row
    apart = all(len(spelled) == 1 for spelled in spellings.values())
    hashed = ", ".join("ai_system" if apart and k == system_key else k for k in key)
    keyed = f"{where} and observed_at is not null"  # as the generic check, which skips a row without one
    if _equal_hashes(con, f"select hash({hashed}) as h from {table} where {keyed}"):
        shown = " || ' / ' || ".join(f"coalesce(cast({k} as varchar), '')" for k in key)
        found = con.execute(
            f"""with dup as (select hash({hashed}) as h from {table} where {keyed} group by 1 having count(*) > 1)
                select row_no, {shown}, {parts} from {table}
                where {keyed} and hash({hashed}) in (select h from dup)"""
        ).fetchall()
        groups: dict[tuple, list[tuple[int, str]]] = {}
        for row_no, value, *parts_ in found:
            groups.setdefault(tuple(parts_), []).append((row_of(row_no), value))
        for rows in groups.values():
            rows.sort()
            first = rows[0][0]
            for row, value in rows[1:]:
                out.append(
                    bp.problem(
                        "duplicate_key",
                        row,
                        bp.header("metric"),
                        value,
                        f"each key once per file (first at row {first})",
                    )
                )
    out += listed(
        con,
        "row_no, lower_threshold, upper_threshold",
        f"from {table} where {where} and lower_threshold > upper_threshold",
        lambda row_no, lower, upper: bp.problem(
            "lower_above_upper",
            row_of(row_no),
            bp.header("lower_threshold") or bp.header("threshold"),
            f"{lower} > {upper}",
            "a lower threshold at or below the upper threshold",
        ),
        order="abs(row_no)",
    )
    out.sort(key=lambda m: (m.code != "duplicate_key", m.more > 0, m.row or 0))
    known = {
        k
        for (k,) in con.execute(
            f"""select name_key from main.systems where replaced_by is null
                union select {_name_key("system_id")} from main.systems where replaced_by is null"""
        ).fetchall()
    }
    found = [(keys[kept], False, row_no, kept, count) for _, kept, row_no, count in names]
    found += [(key, True, row_no, name, count) for name, key, row_no, count in generic]
    found = [row for row in found if row[0] and row[0] not in known]
    first: dict[str, list] = {}
    for key, retyped, row_no, value, count in found:
        row = row_of(-row_no if retyped else row_no)
        seen = first.setdefault(key, [row, value, 0])
        if row < seen[0]:
            seen[:2] = [row, value]
        seen[2] += count
    warnings = sorted(tuple(v) for v in first.values())
    out += [
        bp.problem(
            "unknown_system",
            row,
            bp.header("ai_system"),
            value,
            "an AI system of the inventory (dataset systems)",
            severity="warning",
            text=f"{count} row(s) name it; it shows as unregistered until the inventory names it",
        )
        for row, value, count in warnings
    ]
    return out


BULK: dict[str, Bulk] = {
    "monitoring": Bulk(
        dataset="monitoring",
        kinds=frozenset({"text", "number", "datetime", "enum"}),
        unsupported=frozenset({"threshold", "threshold_direction"}),
        store=_monitoring_store,
        raw={"verdict": "verdict_raw"},
        text_columns=_monitoring_text,
        tallied=frozenset({"ai_system"}),
        retyped=_monitoring_retyped,
        checks=_monitoring_checks,
    )
}
