"""The only code that writes to the database: imports, removals, settings (and later review records).

One file is one transaction: every sheet of the file is validated first (in temporary tables of the same
connection) and the file is written whole or not at all. Re-loading the same bytes for the same dataset,
sheet, as-of date and scope changes nothing. Every attempt, refused ones included, is logged in `imports`
with its problems and warnings; a refused file writes nothing to the data tables.

History. Snapshot datasets (`controls`, `risks`) are versioned per import: a later import of the same
as-of date and scope supersedes the earlier one (`imports.superseded_by`, `valid_to`). Record datasets
are versioned per key (`loaders.datasets.STORE_KEYS`): an import's rows become the current versions of
their keys and the versions they update get `replaced_by` = that import; a key absent from a later file
keeps its current version; removing an import hands each key back to the version it had replaced.
Both are set-based updates joined on the key, in the import's own transaction.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from loaders import fastcsv
from loaders.contracts import CONTRACTS
from loaders.datasets import STORE_KEYS
from loaders.datasets._common import name_key
from loaders.messages import Message, counted
from loaders.pipeline import FilePlan, LoadOptions, Prepared, prepare
from loaders.reading import insert_rows

from . import db
from .paths import files_dir_of
from .schema import COMPUTED, SPLIT, migrate, store_tables

if TYPE_CHECKING:  # NumPy, which the digest uses, loads when a digest is made
    from .digest import Digest
    from .forked import ForkedDigest

__all__ = [
    "ImportRef",
    "LoadResult",
    "RemoveError",
    "load_file",
    "open_store",
    "record_review_item",
    "remove_import",
    "set_setting",
    "update_review_action",
    "user_name",
]


def user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


@dataclass
class ImportRef:
    import_id: int
    dataset: str
    sheet: str | None
    as_of: dt.date
    as_of_source: str
    scope: str
    rows: int
    warnings: int


@dataclass
class LoadResult:
    """What happened to one file."""

    file: str
    sha256: str
    outcome: str  # loaded | unchanged | refused | checked (dry run)
    imports: list[ImportRef] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    plan: FilePlan | None = None

    @property
    def problems(self) -> list[Message]:
        return [m for m in self.messages if m.severity == "problem"]


def open_store(
    path: str | os.PathLike[str] | None = None, *, wait: float = 15.0
) -> duckdb.DuckDBPyConnection:
    """Connect for writing and bring the schema up to date."""
    con = db.connect(path, wait=wait, writer=True)
    try:
        migrate(con)
    except Exception:
        con.close()
        raise
    return con


def files_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """Where original files are kept, by sha256, next to the database file."""
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    return files_dir_of(Path(path))


def _keep_file(con, plan: FilePlan, now: dt.datetime) -> None:
    folder = files_dir(con)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / plan.sha256
    if not target.exists():
        tmp = folder / f".{plan.sha256}.part"
        shutil.copyfile(plan.path, tmp)
        tmp.replace(target)
    con.execute(
        "insert or ignore into files values ($sha, $size, $name, $now)",
        {"sha": plan.sha256, "size": plan.size, "name": plan.path.name, "now": now},
    )


def _bump(con) -> None:
    con.execute(
        "update meta set value = cast(cast(value as bigint) + 1 as varchar) where key = 'data_version'"
    )


def _log(
    con,
    batch: int,
    plan: FilePlan,
    sheet: Prepared | None,
    outcome: str,
    user: str,
    now,
    source_format,
    import_id: int | None = None,  # taken already when the rows were written first (store.bulk)
):
    if import_id is None:
        import_id = con.execute("select nextval('import_seq')").fetchone()[0]
    messages = (sheet.messages if sheet else []) + (
        plan.messages if sheet is None or sheet is plan.sheets[0] else []
    )
    con.execute(
        """insert into imports (import_id, batch_id, dataset, file_name, sha256, sheet, header_row, as_of,
               as_of_source, scope, rows, problems, warnings, outcome, loaded_at, loaded_by, source_format)
           values ($id, $batch, $dataset, $file, $sha, $sheet, $header, $as_of, $as_of_source, $scope, $rows,
               $problems, $warnings, $outcome, $now, $user, $fmt)""",
        {
            "id": import_id,
            "batch": batch,
            "dataset": sheet.dataset if sheet else "unknown",
            "file": plan.path.name,
            "sha": plan.sha256 or "",
            "sheet": sheet.sheet if sheet else None,
            "header": sheet.header_row if sheet else None,
            "as_of": sheet.as_of if sheet else now.date(),
            "as_of_source": sheet.as_of_source if sheet else "import day",
            "scope": sheet.scope if sheet else "organisation",
            "rows": sheet.rows if sheet else 0,
            "problems": counted(messages, "problem"),
            "warnings": counted(messages, "warning"),
            "outcome": outcome,
            "now": now,
            "user": user,
            "fmt": source_format,
        },
    )
    insert_rows(
        con,
        "import_messages",
        [
            [import_id, m.severity, m.code, m.sheet, m.row, m.column, m.value, m.expected, m.text]
            for m in messages
        ],
        ["integer", "varchar", "varchar", "varchar", "integer", "varchar", "varchar", "varchar", "varchar"],
    )
    return import_id


def _reset_validity(con, dataset: str, scope: str) -> None:
    """Snapshot validity: each live snapshot of a scope is valid until the as-of of the next one."""
    con.execute(
        """update imports set valid_to = n.next_as_of
           from (select import_id, lead(as_of) over (order by as_of, import_id) as next_as_of
                 from imports where dataset = $d and scope = $s and outcome = 'loaded' and superseded_by is null) n
           where imports.import_id = n.import_id""",
        {"d": dataset, "s": scope},
    )


def _same_key(dataset: str, left: str, right: str, *, by_name: bool = False) -> str:
    """SQL join condition on a record dataset's key (identifiers from the code, never from input): `left`
    a store table's rows, `right` rows of the dataset's view. A key part the view computes from a stored
    name (`store.schema.COMPUTED`) is computed for `left`'s rows, or, `by_name`, their names compared."""
    computed = dict(COMPUTED.get(dataset, ()))
    parts = []
    for k in STORE_KEYS[dataset]:
        if k not in computed:
            parts.append(f"{left}.{k} is not distinct from {right}.{k}")
        elif by_name:
            parts.append(f"{left}.{computed[k]} is not distinct from {right}.{computed[k]}")
        else:
            parts.append(f"{name_key(f'{left}.{computed[k]}')} is not distinct from {right}.{k}")
    return " and ".join(parts)


def _names_keyed_apart(con, dataset: str) -> bool:
    """Whether no two names of the dataset's current rows share the key computed from them: then the same
    name is the same key, and a comparison of names (stored) does what one of keys (computed for every
    row read) would."""
    for _, name in COMPUTED.get(dataset, ()):  # identifiers from the code's registries, no values
        apart = f"""with names as (select distinct {name} from {dataset} where replaced_by is null)
                    select (select count(*) from names)
                         = (select count(*) from (select distinct {name_key(name)} from names))"""
        if not con.execute(apart).fetchone()[0]:
            return False
    return True


def _replace_versions(con, dataset: str, import_id: int) -> None:
    """Record dataset: the current versions of the keys this import wrote are now replaced by it."""
    by_name = _names_keyed_apart(con, dataset)
    keys = ", ".join([*STORE_KEYS[dataset], *(name for _, name in COMPUTED.get(dataset, ()))])
    for table in store_tables(dataset):
        con.execute(
            f"""update {table} as old set replaced_by = $id
                from (select {keys} from {dataset} where import_id = $id) as new
                where old.replaced_by is null and old.import_id <> $id
                  and {_same_key(dataset, "old", "new", by_name=by_name)}""",
            {"id": import_id},
        )


def _restore_versions(con, dataset: str, import_id: int) -> None:
    """Record dataset: before an import's rows go, the versions it replaced take its place in the chain."""
    keys = ", ".join(STORE_KEYS[dataset])
    for table in store_tables(dataset):
        con.execute(
            f"""update {table} as older set replaced_by = gone.replaced_by
                from (select {keys}, replaced_by from {dataset} where import_id = $id) as gone
                where older.replaced_by = $id and {_same_key(dataset, "older", "gone")}""",
            {"id": import_id},
        )


def _store_table(con, dataset: str, rows: str) -> str:
    """The table an import's `rows` (a table or query with the dataset's store columns) go to: of a
    dataset kept in two tables (`store.schema.SPLIT`), the wide one when any row fills a column of it."""
    if dataset not in SPLIT:
        return dataset
    narrow, wide, columns = SPLIT[dataset]
    filled = " or ".join(f"{c} is not null" for c in columns)
    return wide if con.execute(f"select count(*) from {rows} where {filled}").fetchone()[0] else narrow


def _columns(con, table: str) -> list[str]:
    """The columns of a store table, in order."""
    return [
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where table_name = $t and schema_name = 'main' "
            "and not internal and database_name = current_database() order by column_index",
            {"t": table},
        ).fetchall()
    ]


def _unchanged(con, plan: FilePlan) -> list[int] | None:
    ids = []
    for s in plan.sheets:
        found = con.execute(
            """select import_id from imports where outcome = 'loaded' and sha256 = $sha and dataset = $d
               and sheet is not distinct from $sheet and as_of = $as_of and scope = $scope
               and superseded_by is null""",
            {"sha": plan.sha256, "d": s.dataset, "sheet": s.sheet, "as_of": s.as_of, "scope": s.scope},
        ).fetchone()
        if not found:
            return None
        ids.append(found[0])
    return ids


def _write_sheet(con, batch, plan: FilePlan, sheet: Prepared, user, now) -> ImportRef:
    import_id = _log(con, batch, plan, sheet, "loaded", user, now, plan.source_format)
    table = _store_table(con, sheet.dataset, sheet.store_table)  # from the contract registry, not input
    columns = _columns(con, table)
    staged = [d[0] for d in con.execute(f"select * from {sheet.store_table} limit 0").description]
    picks = [c for c in staged if c in columns]  # what a narrow table lacks is empty (`_store_table`)
    given = ["$sheet as sheet"] if "sheet" in columns else []  # a table without it: the import's sheet
    con.execute(
        f"insert into {table} by name select $id as import_id, {', '.join([*given, *picks])} "
        f"from {sheet.store_table}",
        {"id": import_id} | ({"sheet": sheet.sheet} if given else {}),
    )
    if CONTRACTS[sheet.dataset].semantics == "snapshot":
        con.execute(
            """update imports set superseded_by = $id where dataset = $d and scope = $s and as_of = $a
               and outcome = 'loaded' and superseded_by is null and import_id <> $id""",
            {"id": import_id, "d": sheet.dataset, "s": sheet.scope, "a": sheet.as_of},
        )
        _reset_validity(con, sheet.dataset, sheet.scope)
    else:
        _replace_versions(con, sheet.dataset, import_id)
    return ImportRef(
        import_id,
        sheet.dataset,
        sheet.sheet,
        sheet.as_of,
        sheet.as_of_source,
        sheet.scope,
        sheet.rows,
        counted(sheet.messages, "warning"),
    )


def load_file(
    con: duckdb.DuckDBPyConnection | None,
    path: Path,
    options: LoadOptions | None = None,
    *,
    user: str | None = None,
    dry_run: bool = False,
    digest: Digest | ForkedDigest | None = None,
) -> LoadResult:
    """Check one file and, unless `dry_run` (or it has problems), write it in one transaction.

    `digest`: a `store.digest.Digest` of `path` already running (`aims load` starts one for a large file
    while the program loads); the bulk path uses it, and it is discarded otherwise.
    """
    path = Path(path)
    user = user or user_name()
    try:
        return _load_file(con, path, options, user=user, dry_run=dry_run, digest=digest)
    finally:
        if digest is not None:
            digest.discard()  # nothing when the bulk path kept its copy


def _load_file(
    con, path: Path, options, *, user: str, dry_run: bool, digest: Digest | ForkedDigest | None
) -> LoadResult:
    if dry_run or con is None:
        if (bulk := fastcsv.plan(path, options)) is not None:  # a large file: checked the bulk way
            from .bulk import check_bulk

            now = dt.datetime.now().replace(microsecond=0)
            if (result := check_bulk(bulk, user=user, now=now)) is not None:
                return result
        with tempfile.TemporaryDirectory(prefix="aims-stage-") as spill, duckdb.connect() as stage:
            db.limit_memory(stage, Path(spill))  # a database of its own: the cap holds nobody else back
            plan = prepare(stage, path, options)
            return LoadResult(path.name, plan.sha256, "checked", messages=_all_messages(plan), plan=plan)
    now = dt.datetime.now().replace(microsecond=0)
    if (bulk := fastcsv.plan(path, options)) is not None:  # a large CSV: typed read into the store
        from .bulk import load_bulk

        if (result := load_bulk(con, bulk, user=user, now=now, digest=digest)) is not None:
            return result
    try:
        # Staging and checks use temporary tables only; the transaction covers everything written.
        plan = prepare(con, path, options)
    except BaseException:
        _drop_temp(con)
        raise
    con.execute("begin transaction")
    try:
        batch = con.execute("select coalesce(max(batch_id), 0) + 1 from imports").fetchone()[0]
        if not plan.ok:
            for sheet in plan.sheets or [None]:
                _log(con, batch, plan, sheet, "refused", user, now, plan.source_format)
            con.execute("commit")
            return LoadResult(path.name, plan.sha256, "refused", messages=_all_messages(plan), plan=plan)
        if (same := _unchanged(con, plan)) is not None:
            con.execute("rollback")
            refs = [
                ImportRef(
                    i,
                    s.dataset,
                    s.sheet,
                    s.as_of,
                    s.as_of_source,
                    s.scope,
                    s.rows,
                    counted(s.messages, "warning"),
                )
                for i, s in zip(same, plan.sheets, strict=True)
            ]
            return LoadResult(path.name, plan.sha256, "unchanged", refs, _all_messages(plan), plan)
        _keep_file(con, plan, now)
        refs = [_write_sheet(con, batch, plan, s, user, now) for s in plan.sheets]
        _bump(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        _drop_temp(con)
    return LoadResult(path.name, plan.sha256, "loaded", refs, _all_messages(plan), plan)


def _drop_temp(con) -> None:
    for (name,) in con.execute("select table_name from duckdb_tables() where temporary").fetchall():
        if name != "aims_catalog":
            con.execute(f'drop table if exists temp."{name}"')


def _all_messages(plan: FilePlan) -> list[Message]:
    return plan.messages + [m for s in plan.sheets for m in s.messages]


class RemoveError(ValueError):
    """The import cannot be removed (unknown, refused or already removed)."""


def remove_import(
    con: duckdb.DuckDBPyConnection, import_id: int, *, user: str | None = None
) -> dict[str, Any]:
    """Remove exactly the rows of one import and restore what it had superseded."""
    user = user or user_name()
    row = con.execute(
        "select dataset, scope, outcome, superseded_by from imports where import_id = $id", {"id": import_id}
    ).fetchone()
    if row is None:
        raise RemoveError(f"there is no import {import_id}")
    dataset, scope, outcome, superseded_by = row
    if outcome != "loaded":
        raise RemoveError(f"import {import_id} is {outcome}; only loaded imports can be removed")
    con.execute("begin transaction")
    try:
        if CONTRACTS[dataset].semantics == "record":
            _restore_versions(con, dataset, import_id)
        removed = sum(
            con.execute(f"delete from {table} where import_id = $id", {"id": import_id}).fetchone()[0]
            for table in store_tables(dataset)  # dataset from the log
        )
        con.execute(
            "update imports set superseded_by = $next where superseded_by = $id",
            {"next": superseded_by, "id": import_id},
        )
        con.execute(
            """update imports set outcome = 'removed', removed_at = $now, removed_by = $user,
               superseded_by = null, valid_to = null where import_id = $id""",
            {"id": import_id, "now": dt.datetime.now().replace(microsecond=0), "user": user},
        )
        if CONTRACTS[dataset].semantics == "snapshot":
            _reset_validity(con, dataset, scope)
        _bump(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return {"import_id": import_id, "dataset": dataset, "rows_removed": removed}


def set_setting(
    con: duckdb.DuckDBPyConnection,
    key: str,
    value: Any,
    *,
    user: str | None = None,
    note: str | None = None,
    valid_from: dt.date | dt.datetime | None = None,
) -> None:
    """Record a new version of a setting, in force from `valid_from` (default: now).

    Old versions stay, so a past quarter is recomputed with the settings of its day; a date in the past
    lets a team correct the setting that applied to an earlier quarter.
    """
    start = valid_from or dt.datetime.now()
    if not isinstance(start, dt.datetime):
        start = dt.datetime.combine(start, dt.time())
    con.execute("begin transaction")
    try:
        con.execute(
            "insert into settings values ($k, $v, $t, $u, $n)",
            {"k": key, "v": json.dumps(value), "t": start, "u": user or user_name(), "n": note},
        )
        _bump(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


REVIEW_KINDS = ("decision", "action")
ACTION_STATUSES = ("open", "in_progress", "closed")


def record_review_item(
    con: duckdb.DuckDBPyConnection,
    *,
    quarter: str,
    kind: str,
    text: str,
    owner: str | None = None,
    due_date: dt.date | None = None,
    held_on: dt.date | None = None,
    user: str | None = None,
) -> int:
    """Record a decision or action of a management review (9.3.3); returns its id."""
    if kind not in REVIEW_KINDS:
        raise ValueError(f"kind must be one of {', '.join(REVIEW_KINDS)}")
    if not text.strip():
        raise ValueError("a decision or action needs a text")
    con.execute("begin transaction")
    try:
        record_id = con.execute("select nextval('review_seq')").fetchone()[0]
        con.execute(
            """insert into review_records (record_id, record_key, quarter, held_on, kind, text, owner, due_date,
                   status, recorded_at, recorded_by)
               values ($id, $id, $q, $held, $kind, $text, $owner, $due, $status, $now, $user)""",
            {
                "id": record_id,
                "q": quarter,
                "held": held_on,
                "kind": kind,
                "text": text.strip(),
                "owner": (owner or "").strip() or None,
                "due": due_date,
                "status": "open" if kind == "action" else "recorded",
                "now": dt.datetime.now().replace(microsecond=0),
                "user": user or user_name(),
            },
        )
        _bump(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return record_id


def update_review_action(
    con: duckdb.DuckDBPyConnection,
    record_key: int,
    *,
    status: str,
    closed_date: dt.date | None = None,
    user: str | None = None,
) -> int:
    """Write a new version of an action with a new status (history kept); returns the new version's id."""
    if status not in ACTION_STATUSES:
        raise ValueError(f"status must be one of {', '.join(ACTION_STATUSES)}")
    con.execute("begin transaction")
    try:
        current = con.execute(
            "select record_id from review_records where record_key = $k and replaced_by is null and kind = 'action'",
            {"k": record_key},
        ).fetchone()
        if current is None:
            raise ValueError(f"there is no review action {record_key}")
        new_id = con.execute("select nextval('review_seq')").fetchone()[0]
        con.execute(
            """insert into review_records
               select $new, record_key, quarter, held_on, kind, text, owner, due_date, $status,
                      case when $status = 'closed' then coalesce($closed, current_date) end, $now, $user, null
               from review_records where record_id = $old""",
            {
                "new": new_id,
                "old": current[0],
                "status": status,
                "closed": closed_date,
                "now": dt.datetime.now().replace(microsecond=0),
                "user": user or user_name(),
            },
        )
        con.execute(
            "update review_records set replaced_by = $new where record_id = $old",
            {"new": new_id, "old": current[0]},
        )
        _bump(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return new_id
