"""The `aims` command, run as a user runs it (a subprocess of the installed console script).

Also the concurrency policy: while the dashboard holds the database, `aims load` waits up to `--wait`
seconds and then fails with a clear message, never a traceback and never a damaged file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from loaders.pipeline import LoadOptions
from store.schema import SCHEMA_VERSION
from store.writer import load_file, open_store

CONTROLS = Path(__file__).resolve().parent / "fixtures" / "controls"
Q1 = dt.date(2026, 3, 31)


def table(stdout: str, first_column: str) -> list[dict[str, str]]:
    """The rows of a table printed by `aims`, as dicts; the dashed rule gives each column's span."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == [first_column])
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[start + 1])]
    names = [lines[start][a:b].strip() for a, b in spans]
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("  ") or not line.strip() or line.lstrip().startswith("... and"):
            break
        rows.append({n: line[a:b].strip() for n, (a, b) in zip(names, spans, strict=True)})
    return rows


def preload(db_file: Path, *names: str) -> None:
    con = open_store(db_file, wait=1)
    try:
        for name in names:
            assert load_file(con, CONTROLS / name, LoadOptions(as_of=Q1)).outcome == "loaded"
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- load ------------------------------------------------------------------------------------------------


def test_load_prints_dataset_as_of_and_rows_and_exits_0(aims, db_file):
    done = aims("load", CONTROLS / "soa_small.csv", "--db", db_file, "--as-of", "2026-03-31")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == [
        "soa_small.csv: loaded",
        "  import 1, dataset controls, sheet -, header row 1, as of 2026-03-31 (option), "
        "scope organisation, rows 4",
    ]
    with duckdb.connect(str(db_file)) as con:
        assert con.execute("select count(*) from controls").fetchone() == (4,)


def test_an_unknown_dataset_is_bad_usage_and_leaves_nothing_behind(aims, tmp_path):
    """`--dataset` is checked after a large file has begun hashing: the same usage error as any bad
    choice (exit 2, the choices listed), and no database, kept file or part of one."""
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * (3 << 20))  # 12 MiB: worth hashing early
    db = tmp_path / "aims.duckdb"
    done = aims("load", big, "--db", db, "--dataset", "monitors")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines()[-1] == (
        "aims load: error: argument --dataset: invalid choice: 'monitors' (choose from 'audits', 'controls', "
        "'external_incidents', 'findings', 'incidents', 'monitoring', 'objectives', 'risks', 'systems')"
    )
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["big.csv"]
    assert "monitoring,objectives" in aims("load", "--help").stdout  # the help still lists them


def test_load_with_problems_prints_the_table_and_exits_1(aims, db_file):
    done = aims("load", CONTROLS / "unknown_status.csv", "--db", db_file)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == "unknown_status.csv: refused"
    assert "as of " in done.stdout and "rows 4" in done.stdout
    rows = table(done.stdout, "severity")
    assert [(r["severity"], r["code"], r["sheet"], r["row"], r["column"], r["value"]) for r in rows] == [
        ("problem", "unknown_status", "", "3", "Implementation status", "Mostly done"),
        ("problem", "unknown_status", "", "5", "Implementation status", "Yes-ish"),
    ]
    assert rows[0]["expected"].startswith("one of implemented, not_applicable")
    with duckdb.connect(str(db_file)) as con:
        assert con.execute("select outcome, problems from imports").fetchall() == [("refused", 2)]
        assert con.execute("select count(*) from controls").fetchone() == (0,)


def _monitoring_csv(path: Path, lines: list[str]) -> Path:
    header = "timestamp,ai_system,model_version,metric,feature,value,lower_threshold,upper_threshold"
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


def test_a_file_with_thousands_of_problems_is_logged_whole_and_shown_in_part(aims, db_file, tmp_path):
    """Every problem goes into the import log in one statement (one insert per problem took minutes for
    a file of 200,000 bad rows); `aims load` shows the first 200 and `aims imports --messages` all."""
    from cli import SHOWN_MESSAGES

    lines = [
        f"2026-07-01 00:{i // 60:02d}:{i % 60:02d},credit-scoring,v1,psi,income,n/a{i},0.1,0.2"
        for i in range(3000)
    ]
    path = _monitoring_csv(tmp_path / "monitoring_bad.csv", lines)
    done = aims("load", path, "--db", db_file, "--dataset", "monitoring", "--as-of", "2026-09-30")
    assert done.returncode == 1 and done.stdout.splitlines()[0] == "monitoring_bad.csv: refused"
    shown = table(done.stdout, "severity")
    assert len(shown) == SHOWN_MESSAGES == 200
    assert [(r["code"], r["row"], r["value"]) for r in shown[:3]] == [
        ("bad_number", "2", "n/a0"),
        ("unknown_system", "2", "credit-scoring"),
        ("bad_number", "3", "n/a1"),
    ]
    assert "... and 2,801 more: 3,000 problem(s) and 1 warning(s) in all" in done.stdout
    with duckdb.connect(str(db_file)) as con:
        [(import_id, problems)] = con.execute("select import_id, problems from imports").fetchall()
        assert problems == 3000
        assert con.execute(
            "select count(*), count(distinct row_no), min(row_no), max(row_no) from import_messages "
            "where code = 'bad_number'"
        ).fetchone() == (3000, 3000, 2, 3001)
    listed = aims("imports", "--db", db_file, "--messages", str(import_id))
    assert listed.returncode == 0
    rows = table(listed.stdout, "severity")
    assert len(rows) == 3001
    assert (rows[-1]["code"], rows[-1]["row"], rows[-1]["column"], rows[-1]["value"]) == (
        "bad_number",
        "3001",
        "value",
        "n/a2999",
    )


@pytest.mark.slow
def test_a_file_wrong_in_every_row_lists_the_first_rows_of_a_kind_and_counts_the_rest(
    aims, db_file, tmp_path
):
    """25,000 rows with text in a number: the first `LISTED` are listed by row (on screen, in the log), the
    other 15,000 counted in one message that `aims load` shows first; every count says 25,000."""
    from loaders.messages import LISTED

    lines = [
        f"2026-07-01 {i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d},credit-scoring,v1,psi,income,n/a,0.1,0.2"
        for i in range(25_000)
    ]
    path = _monitoring_csv(tmp_path / "monitoring_all_bad.csv", lines)
    done = aims("load", path, "--db", db_file, "--dataset", "monitoring", "--as-of", "2026-09-30")
    assert done.returncode == 1 and done.stdout.splitlines()[0] == "monitoring_all_bad.csv: refused"
    first = table(done.stdout, "severity")[0]
    assert (first["code"], first["row"], first["column"], first["value"]) == ("bad_number", "", "value", "")
    assert first["expected"] == (
        f"a number; {25_000 - LISTED:,} more row(s) with this problem in this column, counted but not listed "
        f"(the first {LISTED:,} are)"
    )
    assert "25,000 problem(s) and 1 warning(s) in all" in done.stdout
    with duckdb.connect(str(db_file)) as con:
        [(import_id, problems)] = con.execute("select import_id, problems from imports").fetchall()
        assert problems == 25_000
        assert con.execute(
            "select count(*), count(row_no), min(row_no), max(row_no) from import_messages "
            "where code = 'bad_number'"
        ).fetchone() == (LISTED + 1, LISTED, 2, LISTED + 1)
    listed = table(aims("imports", "--db", db_file, "--messages", str(import_id)).stdout, "severity")
    assert len(listed) == LISTED + 2  # and the unknown system's warning


@pytest.mark.slow
def test_the_memory_of_a_load_is_capped_and_a_file_too_large_for_it_is_refused_clearly(
    aims, db_file, tmp_path
):
    """`aims load` caps DuckDB's memory (`AIMS_LOAD_MEMORY`, else `store.db.LOAD_MEMORY_LIMIT`): a file
    the generic path stages whole (numeric dates whose first lines do not tell the day-month order)
    spills to disk under a small cap and loads; under
    a cap too small for it, it is refused (a dry run too) saying so; a cap DuckDB cannot read is an error.
    No spilled file is left behind."""
    minutes = [i // 7 for i in range(200_000)]  # seven features a minute, over 20 days of July
    lines = [
        f"{1 + m // 1440:02d}/07/2026 {m // 60 % 24:02d}:{m % 60:02d},credit-scoring,v1,psi,"
        f"feature_{i % 7},0.{i % 97:02d},0.1,0.9"
        for i, m in enumerate(minutes)
    ]
    path = _monitoring_csv(tmp_path / "monitoring_dayfirst.csv", lines)
    # no --dayfirst: the first lines do not tell the order, so the generic path reads the file (days above
    # 12 come later and tell it)
    args = ["load", path, "--db", db_file, "--dataset", "monitoring", "--as-of", "2026-09-30"]

    small = aims(*args, env={"AIMS_LOAD_MEMORY": "24MB"})
    assert small.returncode == 1 and "too large for the memory loading may take" in small.stdout
    assert "AIMS_LOAD_MEMORY sets it" in small.stdout and "Traceback" not in small.stderr
    checked = aims(*args, "--dry-run", env={"AIMS_LOAD_MEMORY": "24MB"})
    assert checked.returncode == 1 and "too large for the memory loading may take" in checked.stdout
    bad = aims(*args, env={"AIMS_LOAD_MEMORY": "lots"})
    assert (bad.returncode, bad.stderr.strip()) == (
        1,
        "error: AIMS_LOAD_MEMORY='lots' is not a memory size (e.g. 768MB, 2GB)",
    )
    with duckdb.connect(str(db_file)) as con:
        assert con.execute("select outcome from imports").fetchall() == [("refused",)]

    spilled = aims(*args, env={"AIMS_LOAD_MEMORY": "96MB"})
    assert spilled.returncode == 0, spilled.stdout + spilled.stderr
    with duckdb.connect(str(db_file)) as con:
        assert con.execute("select count(*), max(row_no) from monitoring").fetchone() == (200_000, 200_001)
    assert sorted(p.name for p in db_file.parent.iterdir() if p.name.startswith(db_file.name)) == [
        db_file.name,
        db_file.name + ".files",
    ]


def test_output_piped_into_a_reader_that_stops_early_ends_quietly(db_file, tmp_path):
    """`aims imports --messages ID | head -1`: the reader goes away with most of a long listing unread;
    `aims` exits 0 without a word on stderr (no broken pipe, no closed stream)."""
    from conftest import aims_command

    lines = [
        f"2026-07-01 00:{i // 60 % 60:02d}:{i % 60:02d},credit-scoring,v1,psi,f{i},n/a,0.1,0.2"
        for i in range(3000)
    ]
    con = open_store(db_file, wait=1)
    try:
        options = LoadOptions(dataset="monitoring", as_of=dt.date(2026, 9, 30))
        assert load_file(con, _monitoring_csv(tmp_path / "bad.csv", lines), options).outcome == "refused"
    finally:
        con.close()
    reader = subprocess.Popen(
        [*aims_command(), "imports", "--db", str(db_file), "--messages", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = reader.stdout.readline()
    reader.stdout.close()  # 3,000 messages (over 300 KB) still to come
    stderr = reader.stderr.read()
    assert (reader.wait(timeout=60), stderr) == (0, "")
    assert first.split()[:2] == ["severity", "code"]


def test_load_with_warnings_only_exits_0(aims, db_file):
    done = aims("load", CONTROLS / "missing_justification.xlsx", "--db", db_file, "--as-of", "2026-03-31")
    assert done.returncode == 0
    assert [(r["severity"], r["code"], r["sheet"], r["row"]) for r in table(done.stdout, "severity")] == [
        ("warning", "missing_justification", "SoA", "3"),
        ("warning", "missing_justification", "SoA", "5"),
    ]


def test_unreadable_unknown_and_incomplete_files_are_refused_without_traceback(aims, db_file):
    names = [
        "empty.csv",
        "empty.xlsx",
        "random_bytes.xlsx",
        "text_named.xlsx",
        "unknown_dataset.csv",
        "missing_column.csv",
    ]
    done = aims("load", *(CONTROLS / n for n in names), "--db", db_file)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    outcomes = [line for line in done.stdout.splitlines() if not line.startswith(" ")]
    assert outcomes == [f"{n}: refused" for n in names]
    assert done.stdout.count("unreadable_file") == 4
    assert "the file is empty" in done.stdout
    assert "it is a text file, not a workbook" in done.stdout
    assert "no sheet has the columns of any dataset; datasets: controls (" in done.stdout
    (missing,) = table(done.stdout.split("missing_column.csv: refused")[1], "severity")
    assert (missing["code"], missing["column"]) == ("missing_column", "status")
    assert "'Implementation status'" in missing["expected"]
    assert missing["expected"].endswith("closest in the file: 'Implementaton state'")


# --- dry run ---------------------------------------------------------------------------------------------


def test_dry_run_prints_the_mappings_and_creates_no_database(aims, db_file):
    done = aims("load", "--dry-run", CONTROLS / "messy_soa.xlsx", "--db", db_file)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0] == "messy_soa.xlsx: checked"
    assert "dataset controls, sheet SoA, header row 4" in lines[1]
    assert "  columns (file -> field):" in lines
    assert "    'Control ID' -> requirement_id" in lines
    assert "    'Implementation  Status' -> status" in lines
    values = next(line for line in lines if line.startswith("  values of status:"))
    assert "'Partially Implemented' -> partially_implemented" in values
    assert "'N/A' -> not_applicable" in values
    assert not db_file.exists()
    assert not db_file.with_name("aims.duckdb.files").exists()


def test_dry_run_leaves_an_existing_database_untouched(aims, db_file):
    preload(db_file, "soa_small.csv")
    before = digest(db_file)
    done = aims(
        "load", "--dry-run", CONTROLS / "soa_small_v2.csv", CONTROLS / "bad_date.csv", "--db", db_file
    )
    assert done.returncode == 1  # bad_date.csv has problems
    assert [line for line in done.stdout.splitlines() if not line.startswith(" ")] == [
        "soa_small_v2.csv: checked",
        "bad_date.csv: checked",
    ]
    assert digest(db_file) == before
    assert sorted(p.name for p in db_file.parent.iterdir()) == ["aims.duckdb", "aims.duckdb.files"]


# --- imports, remove, status; where the database is --------------------------------------------------------


def test_imports_remove_and_status(aims, db_file):
    preload(db_file, "soa_small.csv", "soa_small_v2.csv")

    listed = aims("imports", "--db", db_file)
    assert listed.returncode == 0
    assert [
        (
            r["id"],
            r["dataset"],
            r["file"],
            r["sheet"],
            r["as_of"],
            r["rows"],
            r["outcome"],
            r["superseded_by"],
        )
        for r in table(listed.stdout, "id")
    ] == [
        ("1", "controls", "soa_small.csv", "", "2026-03-31", "4", "loaded", "2"),
        ("2", "controls", "soa_small_v2.csv", "", "2026-03-31", "3", "loaded", ""),
    ]

    removed = aims("remove", "2", "--db", db_file)
    assert (removed.returncode, removed.stdout) == (0, "removed import 2 (controls): 3 rows\n")

    again = aims("remove", "2", "--db", db_file)
    assert again.returncode == 1
    assert again.stderr == "error: import 2 is removed; only loaded imports can be removed\n"

    status = aims("status", "--db", db_file)
    assert status.returncode == 0
    lines = status.stdout.splitlines()
    assert lines[0] == f"database: {db_file.resolve()}"
    assert lines[1] == f"schema version: {SCHEMA_VERSION} (this program: {SCHEMA_VERSION}); data version: 3"
    assert table(status.stdout, "dataset") == [
        {"dataset": "controls", "imports": "1", "rows": "4", "latest_as_of": "2026-03-31"}
    ]


def test_aims_db_environment_variable_and_db_option(aims, tmp_path):
    from_env = tmp_path / "env.duckdb"
    done = aims("load", CONTROLS / "soa_small.csv", "--as-of", "2026-03-31", env={"AIMS_DB": str(from_env)})
    assert done.returncode == 0
    assert from_env.exists()

    status = aims("status", env={"AIMS_DB": str(from_env)})
    assert status.stdout.splitlines()[0] == f"database: {from_env.resolve()}"
    assert table(status.stdout, "dataset") == [
        {"dataset": "controls", "imports": "1", "rows": "4", "latest_as_of": "2026-03-31"}
    ]

    chosen = tmp_path / "option.duckdb"
    status = aims("status", "--db", chosen, env={"AIMS_DB": str(from_env)})  # --db wins
    assert status.stdout.splitlines()[0] == f"database: {chosen.resolve()}"
    assert status.stdout.splitlines()[2:] == ["  (none)"]


def test_newer_database_is_refused_with_a_message(aims, db_file):
    open_store(db_file, wait=1).close()
    with duckdb.connect(str(db_file)) as con:
        con.execute("update meta set value = '99' where key = 'schema_version'")
    done = aims("load", CONTROLS / "soa_small.csv", "--db", db_file)
    assert done.returncode == 1
    assert done.stderr == (
        f"error: the database has schema version 99, newer than this program ({SCHEMA_VERSION}); "
        "upgrade the program\n"
    )


def test_a_folder_as_database_is_an_error_not_a_traceback(aims, tmp_path):
    done = aims("status", "--db", tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: database {tmp_path.resolve()}: IO Error")
    assert "Traceback" not in done.stderr


# --- concurrency ------------------------------------------------------------------------------------------

# Opens the database, says so, keeps it open for argv[2] seconds, closes it, then lingers (lock released).
HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
print("released", flush=True)
time.sleep(30)
"""


def hold(db_file: Path, seconds: float, *marker: str) -> subprocess.Popen:
    """A separate process holding the database; `marker` ends up in its command line (/proc/PID/cmdline)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_file), str(seconds), *marker],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline() == "holding\n"
    return holder


def stop(holder: subprocess.Popen) -> None:
    holder.terminate()
    holder.wait(timeout=10)


def contents(db_file: Path) -> list[tuple]:
    with duckdb.connect(str(db_file)) as con:
        return con.execute(
            "select i.import_id, i.outcome, c.requirement_id, c.status from imports i "
            "left join controls c using (import_id) order by all"
        ).fetchall()


@pytest.fixture
def loaded_db(db_file: Path) -> Path:
    preload(db_file, "soa_small.csv")
    return db_file


def test_load_fails_clearly_while_the_dashboard_holds_the_database(aims, loaded_db):
    before = contents(loaded_db)
    holder = hold(loaded_db, 60, "streamlit-run-app.py")
    try:
        started = time.monotonic()
        done = aims("load", CONTROLS / "soa_small_v2.csv", "--db", loaded_db, "--wait", "1")
        waited = time.monotonic() - started
    finally:
        stop(holder)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(
        f"error: {loaded_db.resolve()} is in use by the dashboard (process {holder.pid})"
    )
    assert "upload the file on the Data page" in done.stderr
    assert waited >= 1.0

    assert contents(loaded_db) == before  # opens again, nothing changed
    after = aims("load", CONTROLS / "soa_small_v2.csv", "--db", loaded_db, "--as-of", "2026-03-31")
    assert after.returncode == 0
    assert after.stdout.splitlines()[0] == "soa_small_v2.csv: loaded"


def test_another_holder_is_named_as_a_process_not_the_dashboard(aims, loaded_db):
    holder = hold(loaded_db, 60)
    try:
        done = aims("status", "--db", loaded_db, "--wait", "0.5")
    finally:
        stop(holder)
    assert done.returncode == 1
    assert done.stderr == (
        f"error: {loaded_db.resolve()} is in use by process {holder.pid}; try again when it has finished\n"
    )


def test_load_waits_for_the_dashboard_to_release_the_database(aims, loaded_db):
    holder = hold(loaded_db, 1.0, "streamlit-run-app.py")
    try:
        started = time.monotonic()
        done = aims(
            "load", CONTROLS / "soa_small_v2.csv", "--db", loaded_db, "--as-of", "2026-03-31", "--wait", "20"
        )
        waited = time.monotonic() - started
        assert holder.stdout.readline() == "released\n"
    finally:
        stop(holder)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[0] == "soa_small_v2.csv: loaded"
    assert waited < 20
    assert contents(loaded_db)[-1] == (2, "loaded", "A.2.4", "implemented")
