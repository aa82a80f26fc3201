"""One small module for talking to DuckDB: connect, query with bound parameters, scalar.

Everything that reads goes through `query`, `rows` and `scalar`; values are always bound as `$name`
parameters, never formatted into SQL text. Each call runs on its own cursor, so one connection can be
shared by several threads (a DuckDB connection itself is not thread-safe).

DuckDB lets one process at a time open a database file for writing. `connect` waits a while for a lock
held by another process and then raises `DatabaseBusy`, which names the holder (see DESIGN.md,
"Concurrency").
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from .paths import DEFAULT_DB, db_path

if TYPE_CHECKING:  # DuckDB imports pandas itself when a result becomes a DataFrame
    import pandas as pd

__all__ = [
    "DEFAULT_DB",
    "DatabaseBusy",
    "LOAD_MEMORY_LIMIT",
    "connect",
    "db_path",
    "limit_memory",
    "opened",
    "query",
    "rows",
    "scalar",
    "table_exists",
]

_LOCK_RE = re.compile(r"Conflicting lock is held in (?P<exe>.*?) \(PID (?P<pid>\d+)\)")


class DatabaseBusy(RuntimeError):
    """The database file is locked for writing by another process."""

    def __init__(self, path: Path, pid: int | None, by_dashboard: bool) -> None:
        self.path, self.pid, self.by_dashboard = path, pid, by_dashboard
        if by_dashboard:
            text = (
                f"{path} is in use by the dashboard (process {pid}); "
                "upload the file on the Data page, or stop the app and try again"
            )
        else:
            holder = f"process {pid}" if pid else "another process"
            text = f"{path} is in use by {holder}; try again when it has finished"
        super().__init__(text)


def _holder_is_dashboard(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return "streamlit" in cmdline


def _writer_marker(target: Path) -> Path:
    return target.with_name(target.name + ".writer")


def _writer_waiting(target: Path) -> bool:
    """Whether another live process announced it waits to write (its pid in `<db>.writer`)."""
    try:
        pid = int(_writer_marker(target).read_text() or 0)
    except (OSError, ValueError):
        return False
    if pid in (0, os.getpid()):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False  # a writer that died: its marker means nothing
    except PermissionError:
        return True
    return True


LOAD_MEMORY_LIMIT = "768MB"  # DuckDB's memory where files are loaded (`aims load`, a dry run's stage)


def limit_memory(con: duckdb.DuckDBPyConnection, temp_directory: Path | None = None) -> None:
    """Cap DuckDB's memory for loading: a large file that takes the generic path (every cell staged as
    text) then spills to disk (`temp_directory`, by default next to the database) instead of growing
    the process: 5M rows, 3.8 GiB at the peak without the cap, 0.92 GiB with it, for 7% more time. The
    bulk path stays well under it. `AIMS_LOAD_MEMORY` (in DuckDB's units, e.g. `2GB`) sets another cap."""
    limit = os.environ.get("AIMS_LOAD_MEMORY") or LOAD_MEMORY_LIMIT
    try:
        con.execute("set memory_limit = $m", {"m": limit})
    except duckdb.Error:
        raise RuntimeError(f"AIMS_LOAD_MEMORY={limit!r} is not a memory size (e.g. 768MB, 2GB)") from None
    if temp_directory is not None:
        con.execute("set temp_directory = $t", {"t": str(temp_directory)})


def connect(
    path: str | os.PathLike[str] | None = None, *, wait: float = 15.0, writer: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open the database file for reading and writing, waiting up to `wait` seconds for a lock.

    A `writer` (an import, a setting) says so in `<db>.writer` while it waits, and connections of other
    processes hold back until it has the file: without that, readers that open and close connections
    all the time (eight dashboard sessions) could keep the lock busy long enough to starve it.
    """
    target = db_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    delay = 0.02
    marker = _writer_marker(target) if writer else None
    if marker is not None:
        marker.write_text(str(os.getpid()))
    try:
        while True:
            if marker is None and time.monotonic() < deadline and _writer_waiting(target):
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
                continue
            try:
                return duckdb.connect(str(target))
            except duckdb.IOException as exc:
                match = _LOCK_RE.search(str(exc))
                if match is None:
                    raise
                if time.monotonic() >= deadline:
                    pid = int(match["pid"])
                    raise DatabaseBusy(target, pid, _holder_is_dashboard(pid)) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
    finally:
        if marker is not None:
            marker.unlink(missing_ok=True)


@contextmanager
def opened(
    path: str | os.PathLike[str] | None = None, *, wait: float = 15.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that is closed (and the file lock released) when the block ends."""
    con = connect(path, wait=wait)
    try:
        yield con
    finally:
        con.close()


def query(con: duckdb.DuckDBPyConnection, sql: str, /, **params: Any) -> pd.DataFrame:
    """Run a read query with `$name` parameters and return a DataFrame."""
    cur = con.cursor()
    try:
        return cur.execute(sql, params or None).df()
    finally:
        cur.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, /, **params: Any) -> list[dict[str, Any]]:
    """Run a read query and return its rows as dicts."""
    cur = con.cursor()
    try:
        result = cur.execute(sql, params or None)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    finally:
        cur.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, /, **params: Any) -> Any:
    """The first column of the first row, or None."""
    cur = con.cursor()
    try:
        row = cur.execute(sql, params or None).fetchone()
        return None if row is None else row[0]
    finally:
        cur.close()


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view of that name exists in the main schema."""
    return bool(
        scalar(
            con,
            "select count(*) from duckdb_tables() where schema_name = 'main' and table_name = $n "
            "union all select count(*) from duckdb_views() where schema_name = 'main' and view_name = $n "
            "order by 1 desc limit 1",
            n=name,
        )
    )
