"""Kills: `aims load` of a large file, killed with SIGKILL at several moments, leaves a database that opens
and holds exactly what it held before (or, when the kill came after the commit, the whole import)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ROOT, aims_command

from bench import datagen
from loaders.pipeline import LoadOptions
from store.writer import load_file, open_store

pytestmark = pytest.mark.slow

FIXTURES = ROOT / "tests" / "fixtures"
ROWS = 2_000_000
DELAYS = (0.2, 0.6, 1.2, 2.0)


def digest(path: Path) -> dict[str, tuple[int, int]]:
    """Per table and view: (rows, an order-independent hash of every row's content)."""
    with open_store(path, wait=5) as con:
        names = [
            n
            for (n,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' and not temporary "
                "and database_name = current_database() union select view_name from duckdb_views() "
                "where schema_name = 'main' and not temporary and not internal "
                "and database_name = current_database() order by 1"
            ).fetchall()
        ]
        return {
            n: con.execute(
                "select count(*), coalesce(sum(hash(t)), 0) from query_table($t) t", {"t": n}
            ).fetchone()
            for n in names
        }


def _nothing_left(command: list[str], db: Path, within: float = 10.0) -> bool:
    """Whether, within `within` seconds, no process runs `command` any more (the hashing process a load
    forks ends when the load is killed) and no part of a copy is left beside the database."""
    wanted = "\0".join(
        command[1:]
    ).encode()  # after the program (a script runs as its interpreter's argument)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        running = []
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and (proc / "cmdline").read_bytes().rstrip(b"\0").endswith(wanted):
                    running.append((proc / "stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X"))
            except OSError:
                continue
        parts = list(Path(str(db) + ".files").glob(".*.part"))
        if not any(running) and not parts:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    return datagen.monitoring_csv(tmp_path_factory.mktemp("kill") / "monitoring_big.csv", ROWS)


def test_a_killed_load_changes_nothing(big, tmp_path):
    db = tmp_path / "aims.duckdb"
    with open_store(db) as con:
        for name in ("datasets/systems_clean.csv", "datasets/monitoring_clean.csv", "controls/soa_small.csv"):
            result = load_file(con, FIXTURES / name, LoadOptions(as_of=dt.date(2026, 9, 30)))
            assert result.outcome == "loaded"
    before = start = digest(db)
    command = [*aims_command(), "load", str(big), "--db", str(db), "--dataset", "monitoring"]
    command += ["--as-of", "2026-09-30"]
    env = {k: v for k, v in os.environ.items() if k != "AIMS_DB"}
    killed = 0
    for delay in DELAYS:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert _nothing_left(command, db), f"killed after {delay} s"
        after = digest(db)  # the database opens (its write-ahead log replayed)
        assert proc.returncode in (0, -signal.SIGKILL)
        if after == before:  # killed before its commit: nothing of it is there
            assert proc.returncode == -signal.SIGKILL
            killed += 1
        else:  # committed (done, or killed while closing): all of it is there, once
            assert after["monitoring"][0] == start["monitoring"][0] + ROWS, f"killed after {delay} s"
            assert after["imports"][0] == before["imports"][0] + 1
            before = after
    assert killed >= 2
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert digest(db)["monitoring"][0] == start["monitoring"][0] + ROWS


def test_ctrl_c_stops_the_load_and_the_process_it_forked_quietly(big, tmp_path):
    """Ctrl-C reaches the whole process group: the load stops with one line and a changed nothing, and the
    hashing process it forked (which leaves the decision to the program) ends without a traceback."""
    db = tmp_path / "aims.duckdb"
    with open_store(db) as con:
        load_file(con, FIXTURES / "datasets/systems_clean.csv", LoadOptions(as_of=dt.date(2026, 9, 30)))
    before = digest(db)
    command = [*aims_command(), "load", str(big), "--db", str(db), "--dataset", "monitoring"]
    command += ["--as-of", "2026-09-30"]
    env = {k: v for k, v in os.environ.items() if k != "AIMS_DB"}
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    time.sleep(1.0)  # about when DuckDB reads; earlier, while the program starts, ends the same way
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err.decode()
    # interrupted in Python, or DuckDB's read interrupted
    assert (proc.returncode, err.decode().strip().splitlines()[-1]) in [
        (130, "interrupted"),
        (1, "error: Query interrupted"),
    ]
    assert _nothing_left(command, db)
    assert digest(db) == before
