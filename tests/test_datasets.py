"""The datasets beyond control status: contracts, problems, quirks and record/snapshot history.

Fixtures are tiny files in `tests/fixtures/datasets/` (written by its `make_fixtures.py`); each test
loads them into a real DuckDB file through `store.writer.load_file` and reads back the stored rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from loaders.contracts import CONTRACTS, norm
from loaders.datasets import ORDER, STORE_KEYS
from loaders.pipeline import LoadOptions, prepare
from loaders.vocab import SPECS, lookup
from store.schema import MIGRATIONS, SCHEMA_VERSION
from store.writer import LoadResult, load_file, open_store, remove_import

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "datasets"
AS_OF = dt.date(2026, 9, 30)
RECORD = sorted(STORE_KEYS)
D = dt.date


def load(con, name: str | Path, *, as_of: dt.date | None = AS_OF, **options) -> LoadResult:
    path = name if isinstance(name, Path) else FIXTURES / name
    return load_file(con, path, LoadOptions(as_of=as_of, **options), user="test")


def problems(result: LoadResult) -> list[tuple[str, int | None]]:
    return [(m.code, m.row) for m in result.messages if m.severity == "problem"]


def warnings(result: LoadResult) -> list[tuple[str, int | None]]:
    return [(m.code, m.row) for m in result.messages if m.severity == "warning"]


def stored(con, table: str, columns: str = "*") -> list[dict]:
    """The table's rows (a record dataset's current ones), as dicts of `columns` (comma-separated)."""
    cur = con.execute(
        "select * from query_table($t) where coalesce(replaced_by, 0) = 0 order by row_no"
        if table in STORE_KEYS
        else "select * from query_table($t) order by import_id, row_no",
        {"t": table},
    )
    names = [d[0] for d in cur.description]
    wanted = names if columns == "*" else [c.strip() for c in columns.split(",")]
    return [{c: row[names.index(c)] for c in wanted} for row in cur.fetchall()]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- clean files: exact stored values -------------------------------------------------------------

CLEAN = {
    "systems": [
        dict(system_key="AIS-1", system_id="AIS-1", name="Credit Scoring", name_key="creditscoring",
             owner="Ann Lee", business_unit="Retail", risk_class="high", risk_class_raw="High risk",
             lifecycle_status="production", lifecycle_status_raw="Live",
             intended_purpose="Scores credit applications", last_impact_assessment=D(2026, 3, 31)),
        dict(system_key="AIS-2", system_id="AIS-2", name="Support  Bot", name_key="supportbot", owner="Bob Ray",
             business_unit="Service", risk_class="limited", risk_class_raw="Limited", lifecycle_status="pilot",
             lifecycle_status_raw="Pilot", intended_purpose="Answers customers", last_impact_assessment=None),
        dict(system_key="AIS-3", system_id="AIS-3", name="Fraud radar", name_key="fraudradar", owner="Cy Wu",
             business_unit="Payments", risk_class="minimal", risk_class_raw="minimal",
             lifecycle_status="retired", lifecycle_status_raw="Decommissioned",
             intended_purpose="Flags payments", last_impact_assessment=D(2025, 1, 15)),
    ],
    "risks": [
        dict(risk_id="R-1", title="Score drift", ai_system="credit scoring", ai_system_key="creditscoring",
             category="Performance", likelihood=4, impact=4, score=16, likelihood_raw="Likely",
             impact_raw="Major", residual_likelihood=2, residual_impact=2, residual_score=4, owner="Ann Lee",
             treatment="mitigate", treatment_raw="Mitigate", status="in_treatment", status_raw="In treatment",
             next_review=D(2026, 12, 31), linked_controls=["A.6.2.6", "A.6.2.4"]),
        dict(risk_id="R-2", title="Unfair outcome", ai_system="Credit Scoring", ai_system_key="creditscoring",
             category="Bias", likelihood=3, impact=5, score=15, likelihood_raw="3", impact_raw="Severe",
             residual_likelihood=None, residual_impact=None, residual_score=None, owner="Ann Lee",
             treatment="accept", treatment_raw="Accept", status="accepted", status_raw="Accepted",
             next_review=D(2027, 1, 15), linked_controls=[]),
    ],
    "incidents": [
        dict(incident_id="INC-1", title="Wrong refund policy", description=None, ai_system="Support Bot",
             ai_system_key="supportbot", detected_date=D(2026, 2, 13), reported_date=D(2026, 2, 14),
             resolved_date=D(2026, 2, 20), closed_date=None, severity="high", severity_raw="High",
             status="resolved", status_raw="Resolved", category="Accuracy", root_cause="Stale knowledge base",
             linked_to="R-2", serious=False, awareness_date=None, deadline_class=None, deadline_days=None,
             authority_reported_date=None),
        dict(incident_id="INC-2", title="Harmful advice", description=None, ai_system="support bot",
             ai_system_key="supportbot", detected_date=D(2026, 3, 1), reported_date=D(2026, 3, 1),
             resolved_date=None, closed_date=None, severity="critical", severity_raw="Very serious",
             status="investigating", status_raw="Investigating", category="Safety", root_cause=None,
             linked_to="A.6.2.6", serious=True, awareness_date=D(2026, 3, 2), deadline_class="death",
             deadline_days=10, authority_reported_date=D(2026, 3, 9)),
        dict(incident_id="INC-3", title="Latency spike", description=None, ai_system="Credit Scoring",
             ai_system_key="creditscoring", detected_date=D(2026, 3, 5), reported_date=None,
             resolved_date=None, closed_date=None, severity="medium", severity_raw="P3", status="open",
             status_raw="Open", category="Performance", root_cause=None, linked_to=None, serious=False,
             awareness_date=None, deadline_class=None, deadline_days=None, authority_reported_date=None),
    ],
    "findings": [
        dict(finding_id="F-1", source="internal_audit", source_raw="Internal audit",
             finding_type="minor_nonconformity", finding_type_raw="Minor NC", requirement_id="8.2",
             requirement_raw="clause 8.2", title="Risk assessment not repeated", description=None,
             raised_date=D(2026, 5, 12), due_date=D(2026, 7, 31), closed_date=D(2026, 7, 20), owner="Ann Lee",
             status="closed", status_raw="Closed", effectiveness_verified=True, audit_id="IA-2026-1"),
        dict(finding_id="F-2", source="management_review", source_raw="Management review",
             finding_type="opportunity", finding_type_raw="Opportunity for improvement",
             requirement_id="A.6.2.6", requirement_raw="A6.2.6", title="Automate drift alerts",
             description=None, raised_date=D(2026, 6, 30), due_date=D(2026, 9, 30), closed_date=None,
             owner="Cy Wu", status="in_progress", status_raw="In progress", effectiveness_verified=None,
             audit_id=None),
        dict(finding_id="F-3", source="external_audit", source_raw="External audit",
             finding_type="major_nonconformity", finding_type_raw="Major NC", requirement_id="A.5.2",
             requirement_raw="A.5.2", title="No impact assessment", description=None,
             raised_date=D(2026, 8, 1), due_date=D(2026, 9, 15), closed_date=None, owner="Bob Ray",
             status="open", status_raw="Open", effectiveness_verified=False, audit_id="EA-2026"),
    ],
    "audits": [
        dict(audit_id="IA-2026-1", audit_scope="Clauses 6 and 8", planned_date=D(2026, 5, 10),
             done_date=D(2026, 5, 12), auditor="J. Novak", audit_type="internal", audit_type_raw="Internal"),
        dict(audit_id="EA-2026", audit_scope="Certification stage 2", planned_date=D(2026, 8, 1), done_date=None,
             auditor="CB Ltd", audit_type="external", audit_type_raw="Surveillance audit"),
    ],
    "objectives": [
        dict(objective_id="OBJ-1", objective="Keep AUC at 0.80 or above", measure="roc_auc", target=0.8,
             direction="at_least", direction_raw=">=", unit="ratio", owner="Ann Lee", due_date=D(2026, 12, 31),
             current_value=None, ai_system="Credit Scoring", ai_system_key="creditscoring"),
        dict(objective_id="OBJ-2", objective="Train all staff on AI policy", measure="manual", target=95.0,
             direction="at_least", direction_raw="Higher is better", unit="%", owner="HR",
             due_date=D(2026, 9, 30), current_value=88.0, ai_system=None, ai_system_key=None),
        dict(objective_id="OBJ-3", objective="Halve complaint backlog", measure="manual", target=10.0,
             direction="at_most", direction_raw="at most", unit="tickets", owner="Bob Ray",
             due_date=D(2026, 12, 31), current_value=14.0, ai_system="Support Bot", ai_system_key="supportbot"),
    ],
    "external_incidents": [
        dict(source="AIID", external_id="23", kind="incident", title="Self-driving bus in a collision",
             incident_date=D(2017, 11, 8), date_text="2017-11-08", year_start=2017, year_end=2017,
             description="A shuttle hit a truck", deployer="navya; keolis", developer="navya",
             harmed_parties="bus passengers", harms=None, category="7.3. Lack of capability or robustness",
             match_category="incorrect_output", sector="transportation", country="US",
             url="https://incidentdatabase.ai/cite/23"),
        dict(source="AIAAIC", external_id="AIAAIC1803", kind="incident", title="Man jailed for deepfake images",
             incident_date=None, date_text="2022", year_start=2022, year_end=2022, description=None,
             deployer=None, developer=None, harmed_parties=None, harms="Individual: Anxiety/distress",
             category="Ethics/values; Safety", match_category="safety", sector="Media", country="Singapore",
             url="https://www.aiaaic.org/x"),
        dict(source="OECD AIM", external_id="2025-07-27-c835", kind="incident", title="Earthquake alert system fails",
             incident_date=D(2025, 7, 27), date_text="2025-07-27", year_start=2025, year_end=2025,
             description="Alerts underestimated the quake", deployer=None, developer=None, harmed_parties=None,
             harms=None, category="Earthquake, Google", match_category="incorrect_output", sector=None,
             country=None, url=None),
    ],
    "monitoring": [
        dict(observed_at=dt.datetime(2026, 9, 30, 6), ai_system="Credit Scoring", ai_system_key="creditscoring",
             model_version="3.2", metric="roc_auc", feature=None, value=0.83, lower_threshold=0.8,
             upper_threshold=None, verdict="pass", verdict_raw="SUCCESS", test_name="auc_floor"),
        dict(observed_at=dt.datetime(2026, 9, 30, 4), ai_system="Credit Scoring", ai_system_key="creditscoring",
             model_version="3.2", metric="psi", feature="income", value=0.25, lower_threshold=None,
             upper_threshold=0.2, verdict="fail", verdict_raw="FAIL", test_name="psi_income"),
        dict(observed_at=dt.datetime(2026, 9, 30, 6), ai_system="Credit Scoring", ai_system_key="creditscoring",
             model_version=None, metric="roc_auc", feature=None, value=0.79, lower_threshold=0.8,
             upper_threshold=None, verdict=None, verdict_raw=None, test_name=None),
        dict(observed_at=dt.datetime(2026, 10, 1), ai_system="Support Bot", ai_system_key="supportbot",
             model_version=None, metric="accuracy", feature=None, value=0.91, lower_threshold=0.9,
             upper_threshold=1.0, verdict="warning", verdict_raw="Warning", test_name=None),
    ],
}  # fmt: skip

HIDDEN = {"import_id", "sheet", "row_no", "replaced_by"}


@pytest.mark.parametrize("dataset", sorted(CLEAN))
def test_clean_file_loads_with_exact_values(store, dataset):
    if dataset != "systems":
        load(store, "systems_clean.csv")
    result = load(store, f"{dataset}_clean.csv")
    assert result.outcome == "loaded", [m.describe() for m in result.messages]
    assert [i.dataset for i in result.imports] == [dataset]
    assert problems(result) == warnings(result) == []
    rows = [{k: v for k, v in r.items() if k not in HIDDEN} for r in stored(store, dataset)]
    assert rows == CLEAN[dataset]


def test_every_dataset_has_a_clean_file_and_problem_cases():
    datasets = set(CONTRACTS) - {"controls"}
    assert datasets == set(CLEAN)
    assert datasets == {case[0].split("__")[0] for case in PROBLEM_CASES}
    assert set(RECORD) == {d for d in datasets if CONTRACTS[d].semantics == "record"}
    assert list(CONTRACTS) == list(ORDER)  # header detection breaks ties in this order


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where table_name = ?", [table]
        ).fetchall()
    }


def test_store_staging_has_exactly_the_table_columns(store):
    """What a check leaves in `<typed>_store` is what `insert ... by name` needs: no more, no less."""
    for dataset in sorted(CLEAN):
        table = _columns(store, dataset)
        with duckdb.connect() as stage:
            plan = prepare(stage, FIXTURES / f"{dataset}_clean.csv")
            assert plan.ok, dataset
            staged = _columns(stage, plan.sheets[0].store_table)
        assert staged == table - {"import_id", "sheet", "replaced_by"}, dataset


# --- one fixture per problem code -----------------------------------------------------------------

PROBLEM_CASES = [
    ("systems__missing_column.csv", [("missing_column", None)]),
    ("systems__missing_value.csv", [("missing_value", 3)]),
    ("systems__duplicate_key.csv", [("duplicate_key", 4)]),
    ("systems__unknown_risk_class.csv", [("unknown_risk_class", 3)]),
    ("systems__unknown_lifecycle_status.csv", [("unknown_lifecycle_status", 3)]),
    ("systems__bad_date.csv", [("bad_date", 3)]),
    ("risks__missing_column.csv", [("missing_column", None), ("missing_column", None)]),
    ("risks__missing_value.csv", [("missing_value", 3)]),
    ("risks__duplicate_key.csv", [("duplicate_key", 3)]),
    ("risks__unknown_likelihood.csv", [("unknown_likelihood", 3), ("unknown_likelihood", 4)]),
    ("risks__unknown_impact.csv", [("unknown_impact", 3)]),
    ("risks__unknown_treatment.csv", [("unknown_treatment", 3)]),
    ("risks__unknown_status.csv", [("unknown_status", 3)]),
    ("risks__unknown_requirement.csv", [("unknown_requirement", 3), ("unknown_requirement", 3)]),
    ("risks__bad_date.csv", [("bad_date", 3)]),
    ("incidents__missing_column.csv", [("missing_column", None), ("missing_column", None)]),
    ("incidents__missing_value.csv", [("missing_value", 3)]),
    ("incidents__duplicate_key.csv", [("duplicate_key", 3)]),
    ("incidents__bad_date.csv", [("bad_date", 3)]),
    ("incidents__ambiguous_date.csv", [("ambiguous_date", 2)]),
    ("incidents__unknown_severity.csv", [("unknown_severity", 3)]),
    ("incidents__ambiguous_severity.csv", [("ambiguous_severity", 3), ("ambiguous_severity", 4)]),
    ("incidents__unknown_status.csv", [("unknown_status", 3)]),
    ("incidents__unknown_serious.csv", [("unknown_serious", 3)]),
    ("incidents__unknown_deadline_class.csv", [("unknown_deadline_class", 3)]),
    ("incidents__resolved_before_detected.csv", [("resolved_before_detected", 3)]),
    ("incidents__closed_before_detected.csv", [("closed_before_detected", 3)]),
    ("findings__missing_column.csv", [("missing_column", None)]),
    ("findings__missing_value.csv", [("missing_value", 3)]),
    ("findings__duplicate_key.csv", [("duplicate_key", 3)]),
    ("findings__unknown_source.csv", [("unknown_source", 3)]),
    ("findings__unknown_finding_type.csv", [("unknown_finding_type", 3)]),
    ("findings__unknown_requirement.csv", [("unknown_requirement", 3)]),
    ("findings__unknown_status.csv", [("unknown_status", 3)]),
    ("findings__unknown_effectiveness_verified.csv", [("unknown_effectiveness_verified", 3)]),
    ("findings__bad_date.csv", [("bad_date", 3)]),
    ("findings__closed_before_raised.csv", [("closed_before_raised", 3)]),
    ("audits__missing_column.csv", [("missing_column", None)]),
    ("audits__duplicate_key.csv", [("duplicate_key", 3)]),
    ("audits__bad_date.csv", [("bad_date", 3)]),
    ("audits__unknown_audit_type.csv", [("unknown_audit_type", 3)]),
    ("objectives__missing_column.csv", [("missing_column", None)]),
    ("objectives__missing_value.csv", [("missing_value", 3)]),
    ("objectives__duplicate_key.csv", [("duplicate_key", 3)]),
    ("objectives__bad_number.csv", [("bad_number", 3)]),
    ("objectives__unknown_direction.csv", [("unknown_direction", 3)]),
    ("objectives__missing_direction.csv", [("missing_direction", 3)]),
    ("external_incidents__missing_column.csv", [("missing_column", None)]),
    ("external_incidents__missing_value.csv", [("missing_value", 3)]),
    ("external_incidents__duplicate_key.csv", [("duplicate_key", 3)]),
    ("external_incidents__year_order.csv", [("year_order", 3)]),
    ("external_incidents__bad_date.csv", [("bad_date", 2)]),
    ("monitoring__missing_column.csv", [("missing_column", None)]),
    ("monitoring__missing_value.csv", [("missing_value", 3)]),
    ("monitoring__duplicate_key.csv", [("duplicate_key", 4), ("duplicate_key", 6)]),
    ("monitoring__bad_date.csv", [("bad_date", 3)]),
    ("monitoring__bad_number.csv", [("bad_number", 3)]),
    ("monitoring__missing_direction.csv", [("missing_direction", 3)]),
    ("monitoring__unknown_direction.csv", [("unknown_direction", 3)]),
    ("monitoring__lower_above_upper.csv", [("lower_above_upper", 3)]),
    ("monitoring__unknown_verdict.csv", [("unknown_verdict", 3)]),
]


@pytest.mark.parametrize(("name", "expected"), PROBLEM_CASES, ids=[c[0] for c in PROBLEM_CASES])
def test_problem_fixture_is_refused_with_exact_codes_and_rows(store, name, expected):
    result = load(store, name)
    assert result.plan.sheets[0].dataset == name.split("__")[0]
    assert result.outcome == "refused"
    assert sorted(problems(result), key=lambda p: (p[1] or 0, p[0])) == expected
    assert all(m.column for m in result.messages if m.severity == "problem")
    dataset = name.split("__")[0]
    assert store.execute("select count(*) from query_table($t)", {"t": dataset}).fetchone()[0] == 0


def test_missing_columns_are_named(store):
    result = load(store, "incidents__missing_column.csv")
    assert sorted(m.column for m in result.problems) == ["severity", "status"]
    result = load(store, "risks__missing_column.csv")
    assert sorted(m.column for m in result.problems) == ["impact", "likelihood"]


def test_unknown_linked_controls_are_named_one_by_one(store):
    result = load(store, "risks__unknown_requirement.csv")
    assert [(m.value, m.column) for m in result.problems] == [
        ("A.99.1", "Linked controls"),
        ("B.1", "Linked controls"),
    ]


def test_ambiguous_severity_names_the_column_and_says_why(store):
    result = load(store, "incidents__ambiguous_severity.csv")
    assert {m.column for m in result.problems} == {"Severity"}
    assert all("1 = most severe" in m.expected for m in result.problems)


# --- quirks of real files -------------------------------------------------------------------------


def test_semicolon_cp1252_incident_log_with_day_first_dates(store):
    result = load(store, "incidents_semicolon_cp1252.csv")
    assert result.outcome == "loaded", [m.describe() for m in result.messages]
    rows = stored(store, "incidents", "incident_id, title, detected_date, resolved_date, severity, status")
    assert rows == [
        dict(incident_id="INC-7", title="Réponse erronée – tarif", detected_date=D(2026, 2, 13),
             resolved_date=D(2026, 2, 20), severity="high", status="closed"),
        dict(incident_id="INC-8", title="Délai de réponse > 5 s (€)", detected_date=D(2026, 4, 3),
             resolved_date=None, severity="low", status="open"),
        dict(incident_id="INC-9", title="Biais", detected_date=D(2026, 5, 1), resolved_date=None,
             severity="critical", status="investigating"),
    ]  # fmt: skip


def test_risk_register_mixing_words_and_numbers_scores_right(store):
    result = load(store, "risks_mixed_scales.csv")
    assert result.outcome == "loaded", [m.describe() for m in result.messages]
    rows = store.execute("select risk_id, likelihood, impact, score from risks order by row_no").fetchall()
    assert rows == [("R-1", 1, 5, 5), ("R-2", 4, 1, 4), ("R-3", 5, 5, 25), ("R-4", 3, 2, 6), ("R-5", 1, 1, 1)]


def test_monitoring_timestamps(store, tmp_path):
    path = write(
        tmp_path,
        "points.csv",
        "Timestamp,AI system,Metric,Value\n"
        "2026-09-30T23:30:00Z,A,m1,1\n"
        "2026-10-01T01:30:00+02:00,A,m2,1\n"
        "1790748000000,A,m3,1\n"
        "13/02/2026 2:30 PM,A,m4,1\n"
        "14/02/2026 09:05:30,A,m5,1\n"
        "2026-02-15,A,m6,1\n",
    )
    assert load(store, path).outcome == "loaded"
    assert [r[0] for r in store.execute("select observed_at from monitoring order by row_no").fetchall()] == [
        dt.datetime(2026, 9, 30, 23, 30),
        dt.datetime(2026, 9, 30, 23, 30),
        dt.datetime(2026, 9, 30, 6),
        dt.datetime(2026, 2, 13, 14, 30),
        dt.datetime(2026, 2, 14, 9, 5, 30),
        dt.datetime(2026, 2, 15),
    ]


# --- warnings -------------------------------------------------------------------------------------


def test_unknown_system_is_a_warning_only_where_the_inventory_is_visible(store):
    result = load(store, "risks_clean.csv")  # the inventory is still empty
    assert result.outcome == "loaded"
    found = [m for m in result.messages if m.severity == "warning"]
    assert [(m.code, m.row, m.column, m.value) for m in found] == [
        ("unknown_system", 2, "AI system", "credit scoring")
    ]
    assert "2 row(s)" in found[0].text
    dry = load_file(None, FIXTURES / "risks_clean.csv", dry_run=True)
    assert dry.plan.ok and warnings(dry) == []
    load(store, "systems_clean.csv")
    assert warnings(load(store, "risks_clean.csv", as_of=dt.date(2026, 10, 31))) == []


def test_warnings_do_not_block(store, tmp_path):
    risks = write(tmp_path, "r.csv", "Risk ID,Likelihood,Impact,Residual likelihood\nR-1,2,3,1\n")
    incidents = write(
        tmp_path,
        "i.csv",
        "Incident ID,Date detected,Severity,Status,Serious incident,Awareness date\n"
        "INC-1,2026-02-13,High,Open,Yes,\nINC-2,2026-02-13,High,Open,Yes,2026-02-14\n",
    )
    findings = write(tmp_path, "f.csv", "Finding ID,Status,Closed\nF-1,Closed,\nF-2,Closed,2026-05-01\n")
    expected = {
        risks: [("incomplete_residual", 2)],
        incidents: [
            ("missing_awareness_date", 2),
            ("missing_deadline_class", 2),
            ("missing_deadline_class", 3),
        ],
        findings: [("missing_closed_date", 2)],
    }
    for path, codes in expected.items():
        result = load(store, path)
        assert result.outcome == "loaded"
        assert sorted(warnings(result), key=lambda w: (w[1], w[0])) == codes


# --- history --------------------------------------------------------------------------------------


def _first_row_only(name: str, tmp_path: Path) -> Path:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines(keepends=True)
    return write(tmp_path, name, "".join(lines[:2]))


@pytest.mark.parametrize("dataset", RECORD)
def test_record_reimport_updates_keys_keeps_absent_ones_and_removal_restores(store, tmp_path, dataset):
    first = load(store, f"{dataset}_clean.csv").imports[0].import_id
    count = len(CLEAN[dataset])
    second = load(store, _first_row_only(f"{dataset}_clean.csv", tmp_path), as_of=dt.date(2026, 10, 31))
    second_id = second.imports[0].import_id
    current = stored(store, dataset, "import_id, row_no")
    assert len(current) == count  # keys absent from the later file are not dropped
    assert sorted(r["import_id"] for r in current) == [first] * (count - 1) + [second_id]
    replaced = store.execute(
        "select row_no from query_table($t) where replaced_by = $id", {"t": dataset, "id": second_id}
    )
    assert replaced.fetchall() == [(2,)]
    remove_import(store, second_id, user="test")
    assert stored(store, dataset, "import_id, row_no") == [
        {"import_id": first, "row_no": r} for r in range(2, count + 2)
    ]
    assert store.execute("select count(*) from query_table($t)", {"t": dataset}).fetchone()[0] == count


def test_incident_versions_chain_through_removals(store, tmp_path):
    header = "Incident ID,Date detected,Severity,Status\n"
    v1 = write(tmp_path, "v1.csv", header + "INC-1,2026-02-13,High,Open\nINC-2,2026-02-14,Low,Open\n")
    v2 = write(
        tmp_path, "v2.csv", header + "INC-1,2026-02-13,High,Investigating\nINC-3,2026-03-01,Low,Open\n"
    )
    v3 = write(tmp_path, "v3.csv", header + "INC-1,2026-02-13,Critical,Resolved\n")
    ids = [load(store, p, as_of=D(2026, 9 + i, 28)).imports[0].import_id for i, p in enumerate([v1, v2, v3])]

    def current():
        return store.execute(
            "select incident_id, severity, status from incidents where replaced_by is null order by incident_id"
        ).fetchall()

    assert current() == [
        ("INC-1", "critical", "resolved"),
        ("INC-2", "low", "open"),
        ("INC-3", "low", "open"),
    ]
    remove_import(store, ids[1], user="test")  # the middle version goes; the chain closes around it
    assert current() == [("INC-1", "critical", "resolved"), ("INC-2", "low", "open")]
    chain = store.execute(
        "select import_id, replaced_by from incidents where incident_id = 'INC-1' order by 1"
    )
    assert chain.fetchall() == [(ids[0], ids[2]), (ids[2], None)]
    remove_import(store, ids[2], user="test")
    assert current() == [("INC-1", "high", "open"), ("INC-2", "low", "open")]


def test_same_bytes_again_change_nothing(store):
    first = load(store, "incidents_clean.csv")
    again = load(store, "incidents_clean.csv")
    assert again.outcome == "unchanged"
    assert again.imports[0].import_id == first.imports[0].import_id
    assert store.execute("select count(*) from incidents").fetchone()[0] == 3


def test_risks_are_snapshots_superseded_by_a_reload_of_the_same_date(store, tmp_path):
    first = load(store, "risks_clean.csv").imports[0].import_id
    later = load(store, _first_row_only("risks_clean.csv", tmp_path)).imports[0].import_id
    superseded = store.execute("select import_id, superseded_by from imports order by import_id").fetchall()
    assert superseded == [(first, later), (later, None)]
    remove_import(store, later, user="test")
    assert store.execute(
        "select superseded_by from imports where import_id = $i", {"i": first}
    ).fetchone() == (None,)


def test_migration_from_version_2_keeps_data(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        for step in MIGRATIONS[:2]:
            con.execute(step)
        con.execute("insert into meta values ('schema_version', '2'), ('data_version', '5')")
        con.execute(
            "insert into controls (import_id, row_no, requirement_id, applicable) values (1, 2, 'A.2.2', true)"
        )
    con = open_store(path, wait=1)
    try:
        assert con.execute("select value from meta where key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )
        assert con.execute("select requirement_id from controls").fetchall() == [("A.2.2",)]
        for dataset in RECORD:
            assert "replaced_by" in {
                d[0] for d in con.execute("from query_table($t) limit 0", {"t": dataset}).description
            }
    finally:
        con.close()


# --- vocabularies ---------------------------------------------------------------------------------


def test_no_spelling_maps_to_two_canonical_values():
    for name, spec in SPECS.items():
        seen: dict[str, str] = {}
        for canonical, spellings in spec.items():
            for spelling in [canonical, *spellings]:
                assert seen.setdefault(norm(spelling), canonical) == canonical, (name, spelling)


@pytest.mark.parametrize(
    ("vocabulary", "spelling", "canonical"),
    [
        ("incident_severity", "Very serious", "critical"),
        ("incident_severity", "Serious", "high"),
        ("incident_severity", "Minor", "low"),
        ("incident_severity", "Moderate", "medium"),
        ("incident_severity", "Major", "high"),
        ("incident_severity", "P1", "critical"),
        ("incident_severity", "SEV 2", "high"),
        ("incident_severity", "1 - Critical", "critical"),
        ("incident_severity", "4 - Minor", "low"),
        ("incident_severity", "5 - Planning", "low"),
        ("incident_severity", "1", None),
        ("likelihood", "Almost certain", "5"),
        ("likelihood", "3 - Possible", "3"),
        ("likelihood", "2 - Possible", None),
        ("impact", "Negligible", "1"),
        ("treatment", "Reduce", "mitigate"),
        ("direction", ">=", "at_least"),
        ("direction", "≤", "at_most"),
        ("direction", "higher is better", "at_least"),
        ("deadline_class", "2 days", "widespread"),
        ("deadline_class", "10", "death"),
        ("finding_type", "OFI", "opportunity"),
        ("finding_type", "Improvement", "opportunity"),
        ("finding_type", "Major nonconformity", "major_nonconformity"),
        ("incident_status", "Contained", "mitigated"),
        ("verdict", "SUCCESS", "pass"),
        ("risk_class", "High-risk", "high"),
    ],
)
def test_documented_spellings(vocabulary, spelling, canonical):
    assert lookup(vocabulary, spelling) == canonical
