"""Shared fixtures: a fresh store per test, a snapshot of the data tables and the `aims` command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from store.writer import open_store

ROOT = Path(__file__).resolve().parents[1]

# The import log changes on every attempt, refused ones included; every other table holds data.
LOG_TABLES = {"imports", "import_messages"}


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """Where a test's database lives (not created until something opens it)."""
    return tmp_path / "aims.duckdb"


@pytest.fixture
def store(db_file: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An open, migrated store on a fresh database file."""
    con = open_store(db_file, wait=1)
    yield con
    con.close()


def data_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every data table's full content, rows sorted, keyed by table name (the import log left out)."""
    names = [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' and not temporary "
            "order by table_name"
        ).fetchall()
        if name not in LOG_TABLES
    ]
    return {
        name: sorted(con.execute("select * from query_table($t)", {"t": name}).fetchall(), key=repr)
        for name in names
    }


@pytest.fixture
def snapshot() -> Callable[[duckdb.DuckDBPyConnection], dict[str, list[tuple]]]:
    """`snapshot(con)`: the content of every data table, to compare before and after an attempt."""
    return data_tables


def aims_command() -> list[str]:
    """The installed `aims` console script of this interpreter's environment (else `python -m cli`)."""
    script = Path(sys.executable).with_name("aims")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli"]


@pytest.fixture
def aims() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`aims(*args, env={...})` runs the command in a subprocess; `AIMS_DB` is unset unless given."""

    def run(
        *args: object, env: dict[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess:
        environment = {k: v for k, v in os.environ.items() if k != "AIMS_DB"} | (env or {})
        return subprocess.run(
            [*aims_command(), *(str(a) for a in args)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=environment,
            timeout=timeout,
        )

    return run


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo organisation loaded once through the real loaders; tests only read it."""
    from loaders.pipeline import LoadOptions
    from store.writer import load_file

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = open_store(path, wait=5)
    try:
        for file in sorted((ROOT / "data" / "demo").iterdir()):
            result = load_file(con, file, LoadOptions(), user="demo")
            assert result.outcome == "loaded" and not result.problems, (file.name, result.messages)
    finally:
        con.close()
    return path
