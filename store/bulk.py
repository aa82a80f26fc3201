"""Writing a large CSV file the bulk way (`loaders.fastcsv`): one typed read straight into the store table,
the checks in SQL over the inserted rows, everything in one transaction.

While DuckDB reads the file, `store.digest` hashes it, checks it and copies it next to the database.
Values are inserted as read, empty required ones too; a file with problems is rolled back and its
refusal logged, as on the generic path. When the file turns out to need the
generic path (`NotBulk`: a blank line, another encoding, too many lines in another format ...), nothing
is written and `load_bulk` returns None.
"""

from __future__ import annotations

import datetime as dt
import importlib
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from loaders import fastcheck
from loaders.fastcsv import MAIN_ROWS, BulkPlan, NotBulk, Part, RowMap
from loaders.messages import Message, bounded, counted
from loaders.pipeline import FilePlan
from loaders.validate import listed

from .db import limit_memory
from .schema import SPLIT, migrate
from .writer import (
    ImportRef,
    LoadResult,
    _all_messages,
    _bump,
    _columns,
    _drop_temp,
    _log,
    _replace_versions,
    _unchanged,
    files_dir,
)

if TYPE_CHECKING:  # NumPy, which the digest uses, loads when a digest is made
    from .digest import Digest
    from .forked import ForkedDigest

__all__ = ["check_bulk", "load_bulk"]

_PART_ROWS = 250_000  # a file of fewer (estimated) rows is read in one part


def load_bulk(
    con: duckdb.DuckDBPyConnection,
    bp: BulkPlan,
    *,
    user: str,
    now: dt.datetime,
    digest: Digest | ForkedDigest | None = None,
    dry_run: bool = False,
) -> LoadResult | None:
    """Check and write one planned file; None (nothing written) when it needs the generic path.

    `digest`: one of this file already running, used when it keeps its copy where this store does.
    `dry_run`: check only (`check_bulk`): the transaction is rolled back and the file is not kept."""
    pieces = _pieces(con, bp)
    if digest is None or not digest.serves(bp.path, files_dir(con)):
        from .digest import Digest

        digest = Digest(bp.path, files_dir(con), keep=not dry_run, pieces=pieces)
        digest.start()
    order = con.execute("select current_setting('preserve_insertion_order')").fetchone()[0]
    # every row of a CSV carries its number from its part's read; a sheet's rows are numbered in order
    con.execute("set preserve_insertion_order = $on", {"on": bp.arrow is not None})
    plan = FilePlan(path=bp.path, sha256="", size=bp.path.stat().st_size, sheets=[bp.prepared])
    try:
        if con.execute("select count(*) from files where size = $s", {"s": plan.size}).fetchone()[0]:
            plan.sha256 = digest.checked().sha256  # the same bytes may be loaded already: know it first
            if (same := _unchanged(con, plan)) is not None:
                digest.discard()
                return _unchanged_result(con, plan, same)
        parts = _parts(bp, pieces, digest)
        while True:
            con.execute("begin transaction")
            try:
                outcome = _write(con, bp, plan, digest, parts, user, now, dry_run)
                break
            except _OnePart:  # a quoted field may span lines: `skip` counts lines, not records
                con.execute("rollback")
                parts = [Part(0)]
            except BaseException:
                con.execute("rollback")
                raise
        if dry_run:
            con.execute("rollback")
            digest.discard()
            plan.sha256 = digest.sha256
            return LoadResult(bp.file, plan.sha256, "checked", messages=_all_messages(plan), plan=plan)
        if outcome == "refused":
            con.execute("rollback")
            con.execute("begin transaction")
            batch = con.execute("select coalesce(max(batch_id), 0) + 1 from imports").fetchone()[0]
            _log(con, batch, plan, bp.prepared, "refused", user, now, plan.source_format)
            con.execute("commit")
            digest.discard()
            return LoadResult(bp.file, plan.sha256, "refused", messages=_all_messages(plan), plan=plan)
        return outcome
    except NotBulk:
        digest.discard()
        return None
    except BaseException:
        digest.discard()
        raise
    finally:
        digest.drop_split()
        con.execute("set preserve_insertion_order = $on", {"on": bool(order)})
        _drop_temp(con)


def check_bulk(bp: BulkPlan, *, user: str, now: dt.datetime) -> LoadResult | None:
    """A dry run of a planned file: the bulk load into an empty store in a temporary folder, rolled back
    (a generic dry run of millions of rows would take minutes and gigabytes); None when the file needs
    the generic path."""
    with tempfile.TemporaryDirectory(prefix="aims-check-") as folder:
        con = duckdb.connect(str(Path(folder) / "check.duckdb"))
        try:
            limit_memory(con)
            migrate(con)
            return load_bulk(con, bp, user=user, now=now, dry_run=True)
        finally:
            con.close()


def _unchanged_result(con, plan: FilePlan, same: list[int]) -> LoadResult:
    """The file loaded before, unread this time: its rows and warnings as its import logged them (the
    generic path, which reads the file again, says the same)."""
    s = plan.sheets[0]
    s.rows, warnings = con.execute(
        "select rows, warnings from imports where import_id = $id", {"id": same[0]}
    ).fetchone()
    ref = ImportRef(same[0], s.dataset, s.sheet, s.as_of, s.as_of_source, s.scope, s.rows, warnings)
    return LoadResult(plan.path.name, plan.sha256, "unchanged", [ref], _all_messages(plan), plan)


class _OnePart(Exception):
    """Read the file again in one part."""


def _pieces(con, bp: BulkPlan) -> int:
    """How many parts of a CSV file are read at once: as many as DuckDB has threads, when the file is
    large. A part starts at a line, so a file where a quoted field spans lines is read again in one part
    (`_check_digest`)."""
    threads = int(con.execute("select current_setting('threads')").fetchone()[0])
    if bp.arrow is not None or threads < 2 or bp.estimated_rows < _PART_ROWS:
        return 1
    return threads


def _parts(bp: BulkPlan, pieces: int, digest: Digest | ForkedDigest) -> list[Part]:
    """The parts read at once: the file's own first piece and the others as the digest cut them
    (`store.digest.Split`), else parts of the file that begin with `skip`."""
    if pieces < 2:
        return [Part(0)]
    split = digest.split()
    if split is not None and split.lines[0] > bp.header_row:
        starts = [lines - bp.header_row for lines in split.lines]
        ends = [*starts[1:], None]
        return [Part(0, starts[0])] + [
            Part(start, None if end is None else end - start, path)
            for start, end, path in zip(starts, ends, split.paths, strict=True)
        ]
    # the last part first skips the lines before it (a quick scan), so the first parts take a bit more
    size = int(bp.estimated_rows * 1.05 / pieces)
    return [Part(i * size, size) for i in range(pieces - 1)] + [Part((pieces - 1) * size)]


def _write(
    con, bp: BulkPlan, plan: FilePlan, digest: Digest | ForkedDigest, parts, user: str, now, dry_run: bool
) -> LoadResult | str:
    """Inside the transaction: insert, check, and either finish the import or say "refused" (or, for a
    dry run, "checked")."""
    import_id = con.execute("select nextval('import_seq')").fetchone()[0]
    where = f"import_id = {int(import_id)}"
    table = _table(bp)
    _insert(con, bp, table, import_id, parts)
    digest.copy_now()
    if any(p.piece for p in parts) and not digest.split().whole():
        raise NotBulk("a piece of the file did not reach its read whole (the file changed meanwhile?)")
    pieces = {p.piece: bp.header_row + p.start for p in parts if p.piece is not None}
    rejected = fastcheck.rejected_lines(con, pieces) if bp.arrow is None else []
    _check_digest(digest.checked(), len(parts), csv=bp.arrow is None)
    plan.sha256 = digest.sha256
    row_of = RowMap(bp.header_row, parts, [line for line, _, _ in rejected])
    bp.prepared.messages = bounded(_review(con, bp, table, import_id, where, row_of, rejected))
    if dry_run:
        # as the generic dry run, which stages apart from any store, names no unknown systems
        bp.prepared.messages = [m for m in bp.prepared.messages if m.code != "unknown_system"]
        return "checked"
    if bp.prepared.problems:
        return "refused"
    _number_rows(con, table, import_id, row_of)
    return _finish(con, bp, plan, import_id, digest, user, now)


def _table(bp: BulkPlan) -> str:
    """The store table the file's rows go to (of a dataset kept in two, `store.schema.SPLIT`: the wide
    one when the file has a column for it). Its name comes from the code, never from input."""
    dataset = bp.contract.dataset
    if dataset not in SPLIT:
        return dataset
    narrow, wide, columns = SPLIT[dataset]
    return wide if any(bp.stored.get(c, "null") != "null" for c in columns) else narrow


def _insert(con, bp: BulkPlan, table: str, import_id: int, parts) -> None:
    """The typed read into the store table; a part that read past its end had its rejects lost to its
    `limit`, so a read of every cell records them (see `_overran`)."""
    sql, params = bp.insert_sql(table, import_id, parts, _columns(con, table))
    con.execute("drop table if exists temp.bulk_rejects")
    con.execute("drop table if exists temp.bulk_scans")
    if bp.arrow is not None:
        con.register("bulk_sheet", bp.arrow)
    # NumPy, for the checks (`fastcheck`), loads on a core DuckDB leaves it now and then, not after the read
    threading.Thread(target=importlib.import_module, args=("numpy",), daemon=True).start()
    try:
        con.execute(sql, params)
    finally:
        if bp.arrow is not None:
            con.unregister("bulk_sheet")
    where = f"import_id = {int(import_id)}"
    if any(_overran(con, bp, table, where, p.start + p.count) for p in parts if p.count and p.piece is None):
        con.execute(*bp.every_cell_sql()).fetchall()


def _review(
    con, bp: BulkPlan, table: str, import_id: int, where: str, row_of: RowMap, rejected
) -> list[Message]:
    """Every problem and warning the generic path would report, in its order (fields, then checks)."""
    prepared = bp.prepared
    for low, high in row_of.overlap:
        con.execute(
            f"delete from {table} where import_id = $id and row_no between $low and $high",
            {"id": import_id, "low": low, "high": high},
        )
    empty = " and ".join(f'"{bp.raw(f.name)}" is null' for f in bp.mapped)
    con.execute(  # a line of delimiters
        f"delete from {table} where import_id = $id and {MAIN_ROWS} and {empty}", {"id": import_id}
    )
    typing = _missing(con, bp, table, where, row_of)
    retyped = fastcheck.retype(con, bp, rejected, table, where) if rejected else None
    values = fastcheck.text_values(con, bp, table, where)
    typing += _enums(con, bp, table, where, row_of) + _cleaning(
        con, bp, table, where, row_of, values.cleaning
    )
    if retyped:
        typing += retyped.problems
        _insert_retyped(con, table, import_id, retyped.store_table)
    count = f"select count(*) from {table} where import_id = $id"  # the table from `_table`, never input
    prepared.rows = con.execute(count, {"id": import_id}).fetchone()[0]
    order_of = {bp.header(f.name): i for i, f in enumerate(bp.mapped)}
    typing.sort(key=lambda m: (order_of.get(m.column, -1), m.code != "missing_value", m.more > 0, m.row or 0))
    messages = typing + bp.bulk.checks(bp, con, table, where, row_of, values.tally)
    if not prepared.rows:
        messages.append(
            bp.problem(
                "no_rows", prepared.header_row, None, text="the header was found but no data rows follow it"
            )
        )
    return messages


def _finish(
    con, bp: BulkPlan, plan: FilePlan, import_id: int, digest: Digest | ForkedDigest, user: str, now
) -> LoadResult:
    """Keep the original, log the import, version the keys it updates, commit."""
    dataset, prepared = bp.contract.dataset, bp.prepared
    digest.keep()
    con.execute(
        "insert or ignore into files values ($sha, $size, $name, $now)",
        {"sha": plan.sha256, "size": plan.size, "name": bp.file, "now": now},
    )
    batch = con.execute("select coalesce(max(batch_id), 0) + 1 from imports").fetchone()[0]
    _log(con, batch, plan, prepared, "loaded", user, now, plan.source_format, import_id=import_id)
    if con.execute(
        f"select count(*) from {dataset} where replaced_by is null and import_id <> {int(import_id)}"
    ).fetchone()[0]:
        _replace_versions(con, dataset, import_id)
    _bump(con)
    con.execute("commit")
    _checkpoint(con)
    ref = ImportRef(
        import_id,
        dataset,
        bp.sheet,
        prepared.as_of,
        prepared.as_of_source,
        prepared.scope,
        prepared.rows,
        counted(prepared.messages, "warning"),
    )
    return LoadResult(bp.file, plan.sha256, "loaded", [ref], _all_messages(plan), plan)


def _checkpoint(con) -> None:
    """Write the import into the database file now, without DuckDB's vacuum of the bulk insert's partly
    filled row groups (which would rewrite every one of them, about 0.3 s per million rows)."""
    default = con.execute("select current_setting('max_vacuum_tasks')").fetchone()[0]
    con.execute("set max_vacuum_tasks = 0")
    try:
        con.execute("checkpoint")
    except duckdb.Error:  # another connection of this process is in a transaction: DuckDB checkpoints later
        pass
    finally:
        con.execute("set max_vacuum_tasks = $n", {"n": int(default)})


def _overran(con, bp: BulkPlan, table: str, where: str, end: int) -> bool:
    """Whether a part read past its end (it met rejected lines, which a read cut short by its `limit`
    does not record): then its last row is also one of the next part's rows. An equal row of the file's
    own makes this say yes too, which only costs the check below."""
    columns = [c for c in _columns(con, table) if c not in ("import_id", "row_no")]
    same = " and ".join(f"m.{c} is not distinct from a.{c}" for c in columns)
    last = bp.header_row + end
    return bool(
        con.execute(
            f"""select count(*) from (select * from {table} where {where} and row_no = {last}) a
                join {table} m on m.{where} and m.row_no > {last} and {same}"""
        ).fetchone()[0]
    )


def _insert_retyped(con, table: str, import_id: int, typed: str) -> None:
    """Rows of rejected lines, typed the generic way (`typed`, `row_no` = the line): with the others for
    the checks, `row_no` = minus the line until `_number_rows`."""
    present = set(con.table(typed).columns)
    picks = [c for c in _columns(con, table) if c in present and c not in ("import_id", "row_no")]
    con.execute(
        f"insert into {table} by name select $id as import_id, -row_no as row_no, {', '.join(picks)} from {typed}",
        {"id": import_id},
    )


def _check_digest(digest: Digest | ForkedDigest, parts: int, *, csv: bool) -> None:
    if not csv:
        return
    if not digest.utf8:
        raise NotBulk("not UTF-8 throughout")
    if digest.blank_lines:
        raise NotBulk("blank lines")  # DuckDB skips them; the generic path counts them as rows
    if digest.long_lines:
        raise NotBulk("a line over a mebibyte")
    if digest.odd_quotes and parts > 1:
        raise _OnePart


def _missing(con, bp: BulkPlan, table: str, where: str, row_of: RowMap) -> list[Message]:
    """`missing_value` for each required field a row of the typed read left empty (the generic typing
    says it of a rejected line's): the first `LISTED` rows of each, and how many more there are."""
    out = []
    for f in bp.mapped:
        if f.required:
            empty = f'from {table} where {where} and {MAIN_ROWS} and "{bp.raw(f.name)}" is null'
            out += listed(
                con, "row_no", empty, lambda row_no, f=f: fastcheck.missing(bp, f.name, row_of(row_no))
            )
    return out


def _enums(con, bp: BulkPlan, table: str, where: str, row_of: RowMap) -> list[Message]:
    """Values of enumerations the sample did not show: mapped like the generic path, or problems."""
    out = []
    for name, values in fastcheck.enum_values(con, bp, table, where).items():
        f = bp.contract.field(name)
        for raw, canonical in values:
            if canonical is not None:
                con.execute(
                    f'update {table} set "{name}" = $c where {where} and "{name}_raw" = $v',
                    {"c": canonical, "v": raw},
                )
                continue
            cleaned = fastcheck.cleaned(con, [raw])[raw]
            for (row_no,) in con.execute(
                f'select row_no from {table} where {where} and "{name}_raw" = $v', {"v": raw}
            ).fetchall():
                out.append(fastcheck.enum_problem(bp, f, cleaned, row_of(row_no)))
    return out


def _cleaning(con, bp: BulkPlan, table: str, where: str, row_of: RowMap, cleaning: dict) -> list[Message]:
    """Trim and unescape text the way the generic path does (`cleaning`: `fastcheck.TextValues.cleaning`);
    a required value left blank is a problem."""
    out = []
    text_fields = bp.bulk.text_columns(bp)
    for column, pairs in cleaning.items():
        f = bp.contract.field(text_fields[column])
        for raw, cleaned in pairs:
            if cleaned is None and f.required:
                for (row_no,) in con.execute(
                    f'select row_no from {table} where {where} and "{column}" = $v', {"v": raw}
                ).fetchall():
                    out.append(fastcheck.missing(bp, f.name, row_of(row_no)))
            kept = "''" if cleaned is None and f.required else "$c"
            con.execute(
                f'update {table} set "{column}" = {kept} where {where} and "{column}" = $v',
                {"v": raw} | ({} if kept == "''" else {"c": cleaned}),
            )
    return out


def _number_rows(con, table: str, import_id: int, row_of: RowMap) -> None:
    """`row_no` becomes the row as the user sees it: once rejected lines shifted the rows after them, the
    typed read's rows are numbered again, and rejected lines typed the generic way get their line."""
    ids = {"id": import_id}
    if row_of.thresholds:
        parts = sorted(zip(row_of.starts, row_of.kept, strict=True))
        con.execute(  # each part's first record and how far its rows move
            "create or replace temp table bulk_parts as select unnest($s) as start, unnest($o) as shift",
            {"s": [start for start, _ in parts], "o": [kept - start for start, kept in parts]},
        )
        con.execute(
            "create or replace temp table bulk_shifts as "
            "select unnest($t) as t, generate_subscripts($t, 1) as shift",
            {"t": row_of.thresholds},
        )
        con.execute(
            f"""create or replace temp table bulk_rows as
                select i.row_no, cast($h + 1 + i.k + coalesce(s.shift, 0) as integer) as row
                from (select r.row_no, r.row_no - $h + p.shift - 1 as k
                      from (select distinct row_no from {table} where import_id = $id and {MAIN_ROWS}) r
                      asof left join bulk_parts p on r.row_no - $h > p.start) i
                asof left join bulk_shifts s on i.k >= s.t""",
            ids | {"h": row_of.header_row},
        )
        con.execute(
            f"update {table} set row_no = m.row from bulk_rows m "
            f"where {table}.import_id = $id and {table}.{MAIN_ROWS} and {table}.row_no = m.row_no",
            ids,
        )
    con.execute(f"update {table} set row_no = -row_no where import_id = $id and row_no < 0", ids)
