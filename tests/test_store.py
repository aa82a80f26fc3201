"""The store: refusals write no data, re-imports, snapshots, removal, kept files, the import log, as-of
resolution and schema migrations."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

from loaders.pipeline import LoadOptions, prepare
from metrics.coverage import annex_a_summary
from store import db
from store.schema import MIGRATIONS, SCHEMA_VERSION, current_version
from store.writer import RemoveError, load_file, open_store, remove_import

CONTROLS = Path(__file__).resolve().parent / "fixtures" / "controls"
Q1 = dt.date(2026, 3, 31)
Q2 = dt.date(2026, 6, 30)


def load(con: duckdb.DuckDBPyConnection, name: str, as_of: dt.date | None = Q1, **kw):
    return load_file(con, CONTROLS / name, LoadOptions(as_of=as_of), **kw)


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    return int(db.scalar(con, "select value from meta where key = 'data_version'"))


def imports(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select import_id, file_name, as_of, outcome, superseded_by, valid_to from imports order by import_id"
    ).fetchall()


def sha256(name: str) -> str:
    return hashlib.sha256((CONTROLS / name).read_bytes()).hexdigest()


# --- a refused file writes no data ---------------------------------------------------------------------


def test_refused_file_leaves_every_data_table_unchanged_and_is_logged(store, snapshot):
    load(store, "soa_small.csv")
    before = snapshot(store)

    result = load(store, "unknown_status.csv")

    assert result.outcome == "refused"
    assert snapshot(store) == before  # controls, files, catalog, settings, meta (data_version) alike
    assert store.execute(
        "select import_id, dataset, file_name, sha256, rows, problems, warnings, outcome from imports "
        "where outcome = 'refused'"
    ).fetchall() == [(2, "controls", "unknown_status.csv", sha256("unknown_status.csv"), 4, 2, 0, "refused")]
    assert store.execute(
        "select import_id, severity, code, row_no, column_name, value from import_messages order by row_no"
    ).fetchall() == [
        (2, "problem", "unknown_status", 3, "Implementation status", "Mostly done"),
        (2, "problem", "unknown_status", 5, "Implementation status", "Yes-ish"),
    ]


def test_unreadable_file_is_logged_with_its_digest(store, snapshot):
    before = snapshot(store)
    result = load(store, "random_bytes.xlsx")
    assert result.outcome == "refused"
    assert snapshot(store) == before
    assert store.execute("select file_name, sha256, rows, problems, outcome from imports").fetchall() == [
        ("random_bytes.xlsx", sha256("random_bytes.xlsx"), 0, 1, "refused")
    ]
    assert store.execute("select code from import_messages").fetchall() == [("unreadable_file",)]


def test_refused_file_keeps_no_copy(store, db_file):
    load(store, "bad_date.csv")
    assert not (db_file.parent / f"{db_file.name}.files" / sha256("bad_date.csv")).exists()
    assert store.execute("select count(*) from files").fetchone() == (0,)


# --- re-imports and snapshots ---------------------------------------------------------------------------


def test_same_bytes_again_change_nothing(store, snapshot):
    first = load(store, "soa_small.csv")
    before, log_before, version = snapshot(store), imports(store), data_version(store)

    again = load(store, "soa_small.csv")

    assert (first.outcome, again.outcome) == ("loaded", "unchanged")
    assert [r.import_id for r in again.imports] == [r.import_id for r in first.imports] == [1]
    assert snapshot(store) == before
    assert imports(store) == log_before
    assert data_version(store) == version == 1


def test_same_bytes_with_a_later_as_of_are_a_new_snapshot(store):
    load(store, "soa_small.csv", as_of=Q1)
    result = load(store, "soa_small.csv", as_of=Q2)
    assert result.outcome == "loaded"
    assert imports(store) == [
        (1, "soa_small.csv", Q1, "loaded", None, Q2),  # valid until the next snapshot
        (2, "soa_small.csv", Q2, "loaded", None, None),
    ]
    assert store.execute("select import_id, count(*) from controls group by 1 order by 1").fetchall() == [
        (1, 4),
        (2, 4),
    ]
    assert data_version(store) == 2


def test_same_as_of_and_scope_supersedes_and_removing_restores(store, snapshot):
    load(store, "soa_small.csv")
    after_first = snapshot(store)
    # soa_small: A.2.2 implemented, A.2.3 partially, A.2.4 not applicable (and clause 5.1)
    assert annex_a_summary(store, as_of=Q1).counts["implemented"] == 1

    load(store, "soa_small_v2.csv")
    assert imports(store) == [
        (1, "soa_small.csv", Q1, "loaded", 2, None),
        (2, "soa_small_v2.csv", Q1, "loaded", None, None),
    ]
    # soa_small_v2: A.2.2, A.2.3, A.2.4 implemented
    summary = annex_a_summary(store, as_of=Q1)
    assert (summary.counts["implemented"], summary.applicable, summary.sources) == (
        3,
        38,
        ["soa_small_v2.csv"],
    )

    assert remove_import(store, 2, user="auditor") == {
        "import_id": 2,
        "dataset": "controls",
        "rows_removed": 3,
    }
    assert imports(store) == [
        (1, "soa_small.csv", Q1, "loaded", None, None),
        (2, "soa_small_v2.csv", Q1, "removed", None, None),
    ]
    summary = annex_a_summary(store, as_of=Q1)
    assert (summary.counts["implemented"], summary.counts["partially_implemented"], summary.applicable) == (
        1,
        1,
        37,
    )
    restored = snapshot(store)
    assert restored["controls"] == after_first["controls"]
    assert restored["meta"] != after_first["meta"]  # data_version moved on: 1, 2, then 3
    assert data_version(store) == 3


def test_a_different_scope_does_not_supersede(store):
    load(store, "soa_small.csv")
    load_file(store, CONTROLS / "soa_small_v2.csv", LoadOptions(as_of=Q1, scope="Chatbot"))
    assert store.execute("select import_id, scope, superseded_by from imports order by 1").fetchall() == [
        (1, "organisation", None),
        (2, "Chatbot", None),
    ]


def test_reloading_a_superseded_file_puts_it_back_in_force(store):
    load(store, "soa_small.csv")
    load(store, "soa_small_v2.csv")
    result = load(store, "soa_small.csv")
    assert result.outcome == "loaded"
    assert annex_a_summary(store, as_of=Q1).sources == ["soa_small.csv"]


def test_remove_removes_exactly_its_rows(store, snapshot, db_file):
    load(store, "soa_small.csv", as_of=Q1)
    before = snapshot(store)["controls"]
    load(store, "soa_2026-Q2.csv", as_of=None)  # as-of from the file name: a later snapshot
    assert store.execute("select count(*) from controls").fetchone() == (5,)

    assert remove_import(store, 2, user="auditor")["rows_removed"] == 1

    assert snapshot(store)["controls"] == before
    assert store.execute(
        "select outcome, removed_by, removed_at is not null, valid_to from imports order by import_id"
    ).fetchall() == [("loaded", None, False, None), ("removed", "auditor", True, None)]
    # the kept original stays: history can always be re-read
    assert (db_file.parent / f"{db_file.name}.files" / sha256("soa_2026-Q2.csv")).exists()


def test_remove_refuses_unknown_refused_and_removed_imports(store):
    load(store, "soa_small.csv")
    load(store, "unknown_status.csv")
    remove_import(store, 1)
    with pytest.raises(RemoveError, match="there is no import 9"):
        remove_import(store, 9)
    with pytest.raises(RemoveError, match="import 2 is refused"):
        remove_import(store, 2)
    with pytest.raises(RemoveError, match="import 1 is removed"):
        remove_import(store, 1)


# --- kept files, provenance and the import log ---------------------------------------------------------


def test_original_file_is_kept_by_sha256_next_to_the_database(store, db_file):
    load(store, "messy_soa.xlsx")
    digest = sha256("messy_soa.xlsx")
    kept = db_file.parent / "aims.duckdb.files" / digest
    assert kept.read_bytes() == (CONTROLS / "messy_soa.xlsx").read_bytes()
    assert store.execute("select sha256, size, first_name from files").fetchall() == [
        (digest, kept.stat().st_size, "messy_soa.xlsx")
    ]


def test_every_stored_row_knows_its_import_sheet_and_row(store):
    workbook = load(store, "messy_soa.xlsx").imports[0].import_id
    csv_file = load(store, "soa_2026-Q2.csv", as_of=None).imports[0].import_id
    assert store.execute(
        "select import_id, sheet, list(row_no order by row_no) from controls group by all order by 1"
    ).fetchall() == [
        (workbook, "SoA", [5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16]),
        (csv_file, None, [2]),
    ]
    assert store.execute(
        "select count(*) from controls where import_id is null or row_no is null"
    ).fetchone() == (0,)


def test_import_log_records_the_whole_story(store):
    started = dt.datetime.now().replace(microsecond=0)
    load(store, "missing_justification.xlsx", as_of=Q1, user="auditor")
    (row,) = db.rows(store, "select * from imports")
    expected = {
        "import_id": 1,
        "batch_id": 1,
        "dataset": "controls",
        "file_name": "missing_justification.xlsx",
        "sha256": sha256("missing_justification.xlsx"),
        "sheet": "SoA",
        "header_row": 1,
        "as_of": Q1,
        "as_of_source": "option",
        "scope": "organisation",
        "rows": 4,
        "problems": 0,
        "warnings": 2,
        "outcome": "loaded",
        "superseded_by": None,
        "valid_to": None,
        "loaded_by": "auditor",
        "removed_at": None,
        "removed_by": None,
    }
    assert {k: row[k] for k in expected} == expected
    assert started <= row["loaded_at"] <= dt.datetime.now()


def test_each_load_bumps_the_data_version(store):
    assert data_version(store) == 0
    load(store, "soa_small.csv")
    load(store, "soa_small.csv")  # unchanged
    load(store, "bad_date.csv")  # refused
    load(store, "soa_small_v2.csv")
    assert data_version(store) == 2


# --- as-of resolution: option > column > file name > today ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "option", "expected"),
    [
        ("assessment_2026-Q2.csv", dt.date(2026, 4, 1), (dt.date(2026, 4, 1), "option")),
        ("assessment_2026-Q2.csv", None, (dt.date(2026, 5, 15), "column 'Assessment date'")),
        ("soa_2026-Q2.csv", None, (dt.date(2026, 6, 30), "file name")),
        ("soa_small.csv", None, (dt.date.today(), "import day")),
    ],
)
def test_as_of_resolution(name, option, expected):
    with duckdb.connect() as con:
        plan = prepare(con, CONTROLS / name, LoadOptions(as_of=option))
    assert [(s.as_of, s.as_of_source) for s in plan.sheets] == [expected]


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("soa_2026-Q1", dt.date(2026, 3, 31)),
        ("SoA 2025 Q4", dt.date(2025, 12, 31)),
        ("soa_2026q3_final", dt.date(2026, 9, 30)),
        ("soa_2026-05-15", dt.date(2026, 5, 15)),
    ],
)
def test_as_of_from_the_file_name(tmp_path, stem, expected):
    path = tmp_path / f"{stem}.csv"
    path.write_bytes((CONTROLS / "soa_small.csv").read_bytes())
    with duckdb.connect() as con:
        (sheet,) = prepare(con, path).sheets
    assert (sheet.as_of, sheet.as_of_source) == (expected, "file name")


# --- schema versions ------------------------------------------------------------------------------------


def _version_1_database(path: Path) -> None:
    """A database exactly as schema version 1 made it, with one import of two rows."""
    with duckdb.connect(str(path)) as con:
        con.execute(MIGRATIONS[0])
        con.execute("insert into meta values ('schema_version', '1'), ('data_version', '1')")
        con.execute(
            """insert into imports (import_id, batch_id, dataset, file_name, sha256, sheet, header_row, as_of,
                   as_of_source, scope, rows, problems, warnings, outcome, loaded_at, loaded_by)
               values (nextval('import_seq'), 1, 'controls', 'soa_v1.xlsx', 'abc123', 'SoA', 3, '2026-03-31',
                   'option', 'organisation', 2, 0, 0, 'loaded', '2026-04-01 09:30:00', 'alice')"""
        )
        con.execute(
            """insert into controls values
               (1, 'SoA', 4, 'A.2.2', true, 'implemented', 'Done', 'Policy', 'CISO', null, '2026-03-01', null, null),
               (1, 'SoA', 5, 'A.2.3', false, null, 'N/A', 'Group policy', null, null, null, null, 'excluded')"""
        )


def test_version_1_database_is_migrated_in_place_keeping_every_row(db_file):
    _version_1_database(db_file)
    with duckdb.connect(str(db_file)) as con:
        result = con.execute("select * from imports")
        v1_columns = [d[0] for d in result.description]
        imports_before = result.fetchall()
        result = con.execute("select * from controls order by row_no")
        v1_controls = [d[0] for d in result.description]  # later steps add columns
        controls_before = result.fetchall()

    con = open_store(db_file, wait=1)
    try:
        assert current_version(con) == SCHEMA_VERSION
        assert db.scalar(con, "select value from meta where key = 'schema_version'") == str(SCHEMA_VERSION)
        assert data_version(con) == 1
        assert (
            con.execute(
                "select columns(lambda c: list_contains($v1, c)) from controls order by row_no",
                {"v1": v1_controls},
            ).fetchall()
            == controls_before
        )
        assert (
            con.execute(
                "select columns(lambda c: list_contains($v1, c)) from imports", {"v1": v1_columns}
            ).fetchall()
            == imports_before
        )
        assert con.execute("select count(*) from catalog").fetchone() == (90,)
        # the upgraded store takes new imports after the old ones
        result = load(con, "soa_small.csv", as_of=Q2)
        assert [r.import_id for r in result.imports] == [2]
        assert annex_a_summary(con, as_of=Q1).counts["implemented"] == 1  # the version-1 rows still count
    finally:
        con.close()


def test_version_5_monitoring_points_move_behind_the_view_unchanged(db_file):
    """Schema version 6 splits `monitoring` into a narrow and a wide table behind a view of the same name:
    every point reads back as before (its sheet is its import's), and removal still finds them."""
    with duckdb.connect(str(db_file)) as con:
        for step in MIGRATIONS[:5]:
            con.execute(step)
        con.execute("insert into meta values ('schema_version', '5'), ('data_version', '3')")
        for import_id in (1, 2):
            con.execute(
                """insert into imports (import_id, batch_id, dataset, file_name, sha256, sheet, header_row,
                       as_of, as_of_source, scope, rows, problems, warnings, outcome, loaded_at, loaded_by)
                   values ($id, $id, 'monitoring', 'points.csv', 'sha' || $id, null, 1, '2026-09-30', 'option',
                       'organisation', 2, 0, 0, 'loaded', '2026-10-01 09:30:00', 'alice')""",
                {"id": import_id},
            )
        con.execute("select setval('import_seq', 2)")
        con.execute(
            """insert into monitoring values
               (1, null, 2, 2, '2026-09-01 00:00:00', 'Credit scoring', 'creditscoring', 'v1', 'psi', 'age',
                0.3, null, 0.2, null, null, null),
               (1, null, 3, null, '2026-09-02 00:00:00', 'Credit scoring', 'creditscoring', 'v1', 'psi', 'age',
                0.1, null, 0.2, null, null, null),
               (2, null, 2, null, '2026-09-01 00:00:00', 'Credit scoring', 'creditscoring', 'v1', 'psi', 'age',
                0.25, null, 0.2, 'fail', 'FAIL', 'drift of age')"""
        )
        before = con.execute("select * exclude (sheet) from monitoring order by import_id, row_no").fetchall()

    con = open_store(db_file, wait=1)
    try:
        assert current_version(con) == SCHEMA_VERSION
        assert con.execute("select * from monitoring order by import_id, row_no").fetchall() == before
        assert con.execute("select count(*) from monitoring_points").fetchone() == (2,)
        assert con.execute("select test_name from monitoring_tool_points").fetchall() == [("drift of age",)]
        assert remove_import(con, 2, user="alice")["rows_removed"] == 1
        assert con.execute(
            "select import_id, row_no, replaced_by from monitoring order by import_id, row_no"
        ).fetchall() == [(1, 2, None), (1, 3, None)]  # the version import 2 had replaced is current again
    finally:
        con.close()


def test_database_newer_than_the_program_is_refused(db_file):
    open_store(db_file, wait=1).close()
    with duckdb.connect(str(db_file)) as con:
        con.execute("update meta set value = $v where key = 'schema_version'", {"v": str(SCHEMA_VERSION + 1)})
    with pytest.raises(RuntimeError, match=f"schema version {SCHEMA_VERSION + 1}, newer than this program"):
        open_store(db_file, wait=1)
    with duckdb.connect(str(db_file)) as con:  # left as it was, and not locked by the refused attempt
        assert con.execute("select value from meta where key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION + 1),
        )


def test_file_the_csv_reader_rejects_is_refused_and_logged(store, snapshot, tmp_path):
    before = snapshot(store)
    path = tmp_path / "long_line.csv"
    cells = ",".join(["x" * 110_000] * 20)  # one 2.2 MB line: over DuckDB's line limit
    path.write_text(f"Control ID,Implementation status,Justification\nA.2.2,Implemented,{cells}\n")
    result = load_file(store, path, LoadOptions(as_of=Q1))
    assert result.outcome == "refused"
    assert [m.code for m in result.problems] == ["unreadable_file"]
    assert snapshot(store) == before
    assert store.execute("select file_name, outcome from imports").fetchall() == [
        ("long_line.csv", "refused")
    ]


def test_version_6_point_keys_are_computed_from_the_names(db_file):
    """Schema version 7 keeps a monitoring point's system name and computes its key when read (the view),
    as the loaders computed the key they stored: the same keys read back, however the name is written."""
    from loaders.datasets._common import name_key
    from store.schema import POINT_KEY

    assert POINT_KEY == name_key("ai_system")  # else the view's keys are not the loaders': a new migration
    names = ["Credit scoring", "CREDIT  Scoring", "fraud\tdetector", "Fraud\u00a0detector", "x\u2003y", "\f"]
    with duckdb.connect(str(db_file)) as con:
        for step in MIGRATIONS[:6]:
            con.execute(step)
        con.execute("insert into meta values ('schema_version', '6'), ('data_version', '1')")
        for i, name in enumerate(names):
            con.execute(
                f"""insert into monitoring_points (import_id, row_no, observed_at, ai_system, ai_system_key,
                        metric, value) select 1, $row, '2026-09-01', $name, {name_key("$name")}, 'psi', 0.1""",
                {"row": i + 2, "name": name},
            )
        con.execute(
            f"""insert into monitoring_tool_points (import_id, row_no, observed_at, ai_system, ai_system_key,
                    metric, value, verdict) select 2, 2, '2026-09-01', 'Claims triage',
                    {name_key("'Claims triage'")}, 'psi', 0.1, 'fail'"""
        )
        before = con.execute("select * from monitoring order by import_id, row_no").fetchall()
    assert [r[5] for r in before] == ["creditscoring"] * 2 + [
        "frauddetector",
        "fraud\u00a0detector",
        "x\u2003y",
        None,
        "claimstriage",
    ]

    con = open_store(db_file, wait=1)
    try:
        assert current_version(con) == SCHEMA_VERSION
        assert con.execute("select * from monitoring order by import_id, row_no").fetchall() == before
        stored = con.execute(
            "select table_name from duckdb_columns() where column_name = 'ai_system_key' "
            "and table_name in ('monitoring_points', 'monitoring_tool_points')"
        ).fetchall()
        assert stored == []  # computed by the view, from the name
    finally:
        con.close()


def _points_csv(folder: Path, name: str, systems: list[str], value: float) -> Path:
    path = folder / name
    lines = ["timestamp,ai_system,model_version,metric,feature,value,lower_threshold,upper_threshold"]
    lines += [f"2026-09-0{i + 1} 00:00:00,{s},v1,psi,age,{value},,0.2" for i, s in enumerate(systems)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("bulk_path", [False, True])
def test_a_later_import_replaces_points_of_the_same_key_however_the_system_is_spelled(
    tmp_path, monkeypatch, bulk_path
):
    """A point's key takes its system's name without case or spaces: a later import of the same points
    replaces them whether it spells the systems alike (names compared) or apart (keys computed), and
    removing it puts the versions it replaced back."""
    from loaders import fastcsv

    monkeypatch.setattr(fastcsv, "FAST_MIN_BYTES", 0 if bulk_path else 1 << 62)
    options = LoadOptions(dataset="monitoring", as_of=dt.date(2026, 9, 30))
    first = _points_csv(tmp_path, "first.csv", ["Credit scoring", "Claims triage", "Fraud detector"], 0.1)
    apart = _points_csv(tmp_path, "apart.csv", ["CREDIT  scoring", "claimstriage"], 0.2)
    alike = _points_csv(tmp_path, "alike.csv", ["CREDIT  scoring", "Fraud detectors"], 0.3)
    con = open_store(tmp_path / "store.duckdb", wait=1)
    try:
        for path in (first, apart, alike):
            assert load_file(con, path, options, user="tester").outcome == "loaded", path.name

        def chain() -> list[tuple]:
            return con.execute(
                "select import_id, ai_system, replaced_by from monitoring order by import_id, row_no"
            ).fetchall()

        assert chain() == [
            (1, "Credit scoring", 2),
            (1, "Claims triage", 2),
            (1, "Fraud detector", None),  # 'Fraud detectors' is another system
            (2, "CREDIT  scoring", 3),
            (2, "claimstriage", None),
            (3, "CREDIT  scoring", None),
            (3, "Fraud detectors", None),
        ]
        remove_import(con, 3, user="tester")
        assert [r[2] for r in chain()] == [2, 2, None, None, None]
    finally:
        con.close()
