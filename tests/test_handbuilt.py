"""The hand-built organisation of `tests/fixtures/handbuilt/`: its files load cleanly, and the quarterly
figures reproduce the numbers worked out by hand in `EXPECTED.md` / `expected_2026-Q3.json`.

The expected figures were counted by hand, not by running the metric code; the metric code is held to
them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from store.writer import load_file, open_store

HERE = Path(__file__).resolve().parent
FOLDER = HERE / "fixtures" / "handbuilt"
EXPECTED = json.loads((FOLDER / "expected_2026-Q3.json").read_text(encoding="utf-8"))
INVENTORY = "ai_systems_2026-Q3.csv"
TOLERANCE = 1e-6

# Every key of expected_2026-Q3.json, dotted; the two risk-cell maps are compared whole.
KEYS = [
    "quarter",
    "as_of",
    "annex_a.implementation_rate",
    "annex_a.weighted_score",
    "annex_a.counts.implemented",
    "annex_a.counts.partially_implemented",
    "annex_a.counts.planned",
    "annex_a.counts.not_implemented",
    "annex_a.counts.not_assessed",
    "annex_a.counts.not_applicable",
    "annex_a.applicable",
    "clauses.implementation_rate",
    "risks.total",
    "risks.inherent_cells",
    "risks.residual_cells",
    "incidents.total",
    "incidents.by_severity.critical",
    "incidents.by_severity.high",
    "incidents.by_severity.medium",
    "incidents.by_severity.low",
    "incidents.open",
    "incidents.mean_days_to_resolve",
    "monitoring.breach_points",
    "monitoring.breach_episodes",
    "monitoring.series_breaching_at_latest",
    "findings.open",
    "findings.open_nonconformities",
    "findings.overdue",
]


def _files() -> list[Path]:
    """The inventory first (so every system name is known), then the other files by name."""
    return sorted(FOLDER.glob("*.csv"), key=lambda p: (p.name != INVENTORY, p.name))


@pytest.fixture(scope="module")
def handbuilt_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh database holding every file of the folder; the writer's connection is closed again."""
    path = tmp_path_factory.mktemp("handbuilt") / "aims.duckdb"
    con = open_store(path, wait=1)
    try:
        results = [load_file(con, p) for p in _files()]
    finally:
        con.close()
    for result in results:
        assert result.outcome == "loaded", (result.file, result.outcome, result.messages)
        assert result.problems == [], (result.file, result.problems)
    return path


@pytest.fixture
def sql(handbuilt_db: Path) -> Iterator[Callable[..., list[tuple]]]:
    """`sql(text, **params)`: the rows of a query on the hand-built database, read-only."""
    con = duckdb.connect(str(handbuilt_db), read_only=True)
    yield lambda text, **params: con.execute(text, params).fetchall()
    con.close()


def test_every_file_loads_without_problems(sql) -> None:
    imports = sql("select file_name, dataset, as_of, outcome, problems from imports order by import_id")
    assert len(imports) == 11
    assert {row[0] for row in imports} == {p.name for p in FOLDER.glob("*.csv")}
    assert all(outcome == "loaded" and problems == 0 for _, _, _, outcome, problems in imports)
    as_of = {name: str(day) for name, _, day, _, _ in imports}
    assert as_of["soa_2026-Q2.csv"] == as_of["risk_register_2026-Q2.csv"] == "2026-06-30"
    assert {day for name, day in as_of.items() if "Q2" not in name} == {"2026-09-30"}
    # The only warnings: A.8.3 and A.9.4 without a justification, in both Statements of Applicability.
    warnings = sql(
        "select i.file_name, m.code, m.row_no, m.value from import_messages m join imports i using (import_id) "
        "order by i.file_name, m.row_no"
    )
    assert warnings == [
        ("soa_2026-Q2.csv", "missing_justification", 17, "A.8.3"),
        ("soa_2026-Q2.csv", "missing_justification", 18, "A.9.4"),
        ("soa_2026-Q3.csv", "missing_justification", 20, "A.8.3"),
        ("soa_2026-Q3.csv", "missing_justification", 21, "A.9.4"),
    ]


def test_hand_counted_rows_per_table(sql) -> None:
    counts = {
        table: sql("select count(*) from query_table($t)", t=table)[0][0]
        for table in (
            "systems",
            "controls",
            "risks",
            "incidents",
            "findings",
            "audits",
            "objectives",
            "monitoring",
        )
    }
    assert counts == {
        "systems": 3,
        "controls": 17 + 21,
        "risks": 7 + 7,
        "incidents": 12,
        "findings": 10,
        "audits": 4,
        "objectives": 3,
        "monitoring": 30 + 23,
    }


def test_hand_counted_raw_facts(sql) -> None:
    # Two business units, three systems.
    assert sql("select business_unit, count(*) from systems group by 1 order by 1") == [
        ("Claims", 1),
        ("Retail Lending", 2),
    ]
    # The Q3 SoA: 13 Annex A rows (2 not applicable) and 8 clause rows.
    assert sql(
        "select requirement_id like 'A.%', count(*), count(*) filter (where not applicable) from controls "
        "join imports using (import_id) where file_name = 'soa_2026-Q3.csv' group by 1 order by 1"
    ) == [(False, 8, 0), (True, 13, 2)]
    # R-07 is only in the Q2 register, R-08 only in the Q3 one; R-04 has no residual rating.
    assert sql(
        "select risk_id, list(file_name order by file_name) from risks join imports using (import_id) "
        "where risk_id in ('R-07', 'R-08') group by 1 order by 1"
    ) == [("R-07", ["risk_register_2026-Q2.csv"]), ("R-08", ["risk_register_2026-Q3.csv"])]
    assert sql("select distinct risk_id from risks where residual_score is null") == [("R-04",)]
    # The incident log is written day-first; INC-110 was resolved after the quarter end.
    assert sql("select detected_date, resolved_date from incidents where incident_id = 'INC-110'") == [
        (dt.date(2026, 9, 21), dt.date(2026, 10, 2))
    ]
    assert sql(
        "select count(*) from incidents where detected_date between date '2026-07-01' and date '2026-09-30'"
    ) == [(8,)]
    # Three monitoring series; the psi series has two points in Q2.
    assert sql(
        "select metric, count(*), count(*) filter (where observed_at < timestamp '2026-07-01') from monitoring "
        "group by 1 order by 1"
    ) == [("fast_track_share", 7, 0), ("psi", 16, 2), ("roc_auc", 30, 0)]
    # Findings: one untyped management-review action; F-10 was closed after the quarter end.
    assert sql("select finding_id, source from findings where finding_type is null") == [
        ("F-07", "management_review")
    ]
    assert sql("select closed_date from findings where finding_id = 'F-10'") == [(dt.date(2026, 10, 1),)]


def _lookup(data: dict, dotted: str):
    """The value at a dotted key, in nested objects (or under the dotted key itself in a flat one)."""
    if dotted in data:
        return data[dotted]
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(dotted)
        node = node[part]
    return node


def _same(expected, actual) -> bool:
    """Maps (risk cells) match without their zero cells; numbers within the tolerance; the rest exactly."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        nonzero = {k: v for k, v in actual.items() if v not in (0, None)}
        return nonzero.keys() == expected.keys() and all(_same(v, nonzero[k]) for k, v in expected.items())
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        if isinstance(actual, bool) or not isinstance(actual, int | float):
            return False
        return math.isclose(float(actual), float(expected), rel_tol=0, abs_tol=TOLERANCE)
    return expected == actual


def test_expected_file_has_exactly_the_agreed_keys() -> None:
    for key in KEYS:
        _lookup(EXPECTED, key)

    def leaves(node: dict, prefix: str = "") -> set[str]:
        out = set()
        for k, v in node.items():
            name = f"{prefix}{k}"
            if isinstance(v, dict) and not name.endswith("_cells"):
                out |= leaves(v, name + ".")
            else:
                out.add(name)
        return out

    assert leaves(EXPECTED) == set(KEYS)


def test_summary_reproduces_hand_figures(handbuilt_db: Path, aims) -> None:
    run: subprocess.CompletedProcess = aims("summary", "--db", handbuilt_db, "--quarter", "2026-Q3", "--json")
    assert run.returncode == 0, run.stderr
    actual = json.loads(run.stdout)
    wrong = {}
    for key in KEYS:
        expected = _lookup(EXPECTED, key)
        try:
            got = _lookup(actual, key)
        except KeyError:
            wrong[key] = (expected, "missing")
            continue
        if not _same(expected, got):
            wrong[key] = (expected, got)
    assert wrong == {}, "figures that differ from the hand count (expected, got): " + json.dumps(
        wrong, indent=1, default=str
    )
