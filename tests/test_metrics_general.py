"""Periods, filters, the import log, settings, consistency checks, the review summary and the headline
summary: exact values on tiny data and on the demo organisation (whose story is pinned in test_demo.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from loaders.pipeline import LoadOptions
from metrics.consistency import consistency_checks
from metrics.filters import filter_options
from metrics.imports import import_log, import_messages
from metrics.inventory import data_as_of, loaded_datasets
from metrics.periods import Quarter, available_quarters, latest_quarter, parse_quarter
from metrics.review import data_coverage, review_summary
from metrics.settings import DEFAULTS, parse_setting, settings_at, settings_history
from metrics.summary import headline_keys, quarter_summary
from store import db
from store.writer import load_file, set_setting

Q3 = dt.date(2026, 9, 30)


@pytest.fixture(scope="module")
def demo(demo_db):
    con = db.connect(demo_db, wait=5)
    yield con
    con.close()


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- periods and filters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "previous"),
    [
        ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30), "2026-Q2"),
        ("2026-q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), "2025-Q4"),
        ("2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), "2025-Q3"),
    ],
)
def test_quarters(text, start, end, previous):
    q = parse_quarter(text)
    assert (q.start, q.end, q.previous()) == (start, end, previous)
    assert Quarter.of(end) == q


def test_bad_quarter_is_refused():
    with pytest.raises(ValueError, match="expected e.g. 2026-Q3"):
        parse_quarter("2026-Q5")


def test_empty_store_has_no_quarters(store):
    assert available_quarters(store) == [] and latest_quarter(store) is None
    options = filter_options(store)
    assert (options.quarters, options.scopes, options.has_data) == ([], ["organisation"], False)


def test_quarters_span_the_loaded_as_of_dates(store, tmp_path):
    soa = "Control ID,Status,Justification\nA.2.2,Implemented,ok\n"
    load_file(store, _csv(tmp_path, "a.csv", soa), LoadOptions(as_of=dt.date(2025, 11, 3)))
    load_file(
        store,
        _csv(tmp_path, "b.csv", soa + "A.2.3,Planned,ok\n"),
        LoadOptions(as_of=dt.date(2026, 5, 2), scope="Retail"),
    )
    assert available_quarters(store) == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert latest_quarter(store) == "2026-Q2"
    assert filter_options(store).scopes == ["organisation", "Retail"]


def test_demo_quarters_and_loaded_datasets(demo):
    assert [str(q) for q in available_quarters(demo)] == [
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    ]
    loaded = loaded_datasets(demo, as_of=Q3).set_index("dataset")
    assert sorted(loaded.index) == [
        "audits",
        "controls",
        "findings",
        "incidents",
        "monitoring",
        "objectives",
        "risks",
        "systems",
    ]
    assert loaded.loc["controls", "imports"] == 6 and loaded.loc["controls", "rows"] == 6 * 74
    assert loaded.loc["monitoring", "imports"] == 4
    assert data_as_of(demo, as_of=Q3) == Q3
    assert data_as_of(demo, as_of=dt.date(2025, 8, 1)) == dt.date(2025, 6, 30)
    early = loaded_datasets(demo, as_of=dt.date(2025, 6, 30))
    assert sorted(early["dataset"]) == ["controls", "risks"]


# --- import log ----------------------------------------------------------------------------------------


def test_import_log_and_messages(store, tmp_path):
    good = _csv(
        tmp_path, "soa.csv", "Control ID,Status,Justification\nA.2.2,Implemented,ok\nA.2.3,Planned,\n"
    )
    bad = _csv(tmp_path, "bad.csv", "Control ID,Status\nA.2.2,Sometimes\n")
    load_file(store, good, LoadOptions(as_of=Q3), user="alice")
    load_file(store, bad, LoadOptions(as_of=Q3), user="bob")
    log = import_log(store)
    assert log[
        ["import_id", "file_name", "outcome", "rows", "problems", "warnings", "loaded_by"]
    ].values.tolist() == [
        [2, "bad.csv", "refused", 1, 1, 1, "bob"],  # no justification column: a warning too
        [1, "soa.csv", "loaded", 2, 0, 1, "alice"],
    ]
    assert len(log.loc[0, "sha256"]) == 64
    problems = import_messages(store, import_id=2)
    assert problems[["severity", "code", "row_no", "column_name", "value"]].values.tolist() == [
        ["problem", "unknown_status", 2, "Status", "Sometimes"],
        ["warning", "missing_justification", 2, "Justification", "A.2.2"],
    ]
    assert import_messages(store, import_id=1)["code"].tolist() == ["missing_justification"]


# --- settings ------------------------------------------------------------------------------------------


def test_settings_default_then_versions_by_date(store):
    assert settings_at(store, as_of=Q3) == DEFAULTS
    set_setting(store, "risk_appetite", 12, valid_from=dt.date(2026, 7, 1), user="cro")
    set_setting(store, "risk_appetite", 6, valid_from=dt.date(2026, 10, 1), user="cro")
    assert settings_at(store, as_of=dt.date(2026, 6, 30)).risk_appetite == 9
    assert settings_at(store, as_of=dt.date(2026, 7, 1)).risk_appetite == 12
    assert settings_at(store, as_of=Q3).risk_appetite == 12
    assert settings_at(store, as_of=dt.date(2026, 12, 31)).risk_appetite == 6
    history = settings_history(store)
    assert history[["key", "value", "set_by"]].values.tolist() == [
        ["risk_appetite", "6", "cro"],
        ["risk_appetite", "12", "cro"],
    ]


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("risk_appetite", "12", 12),
        ("evidence_age_months", "6", 6),
        ("implementation_rate_target", "0.9", 0.9),
        ("metric_control_links", '{"f1": ["A.6.2.4"]}', {"f1": ["A.6.2.4"]}),
    ],
)
def test_parse_setting(key, text, expected):
    assert parse_setting(key, text) == expected


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("risk_appetite", "30", "invalid value"),
        ("risk_bands", '{"low": [1, 4]}', "cover every score"),
        ("nonsense", "1", "unknown setting"),
    ],
)
def test_parse_setting_refuses(key, text, message):
    with pytest.raises(ValueError, match=message):
        parse_setting(key, text)


# --- consistency checks --------------------------------------------------------------------------------


def test_consistency_checks_each_rule(store, tmp_path):
    systems = (
        "System ID,Name,Business unit,EU AI Act risk class,Last impact assessment\n"
        "S1,Loan Approver,Retail,high,2025-01-10\nS2,Chatbot,Service,limited,2026-08-01\n"
    )
    soa = "Control ID,Applicable,Status,Justification\nA.6.2.6,Yes,Implemented,ok\nA.7.4,No,,not used\n"
    risks = (
        "Risk ID,Title,AI system,Category,Likelihood,Impact,Residual likelihood,Residual impact,Linked controls\n"
        "R1,Bias,Loan Approver,Fairness,4,4,3,4,A.7.4\nR2,Tone,Chatbot,Quality,1,2,1,1,A.6.2.6\n"
    )
    incidents = (
        "Incident ID,AI system,Date detected,Severity,Status,Category\n"
        "I1,Chatbot,2026-01-05,low,closed,Quality\nI2,Chatbot,2026-04-05,low,closed,Quality\n"
        "I3,Chatbot,2026-09-01,medium,open,Quality\nI4,Chatbot,2025-06-01,low,closed,Quality\n"
    )
    monitoring = (
        "timestamp,ai_system,metric,value,lower_threshold\n"
        "2026-09-29,Chatbot,accuracy,0.9,0.8\n2026-09-30,Chatbot,accuracy,0.7,0.8\n"
    )
    for name, text in [
        ("systems.csv", systems),
        ("soa.csv", soa),
        ("risks.csv", risks),
        ("incidents.csv", incidents),
        ("monitoring.csv", monitoring),
    ]:
        result = load_file(store, _csv(tmp_path, name, text), LoadOptions(as_of=Q3))
        assert result.outcome == "loaded", result.messages
    checks = consistency_checks(store, as_of=Q3)
    assert checks[["check", "subject"]].values.tolist() == [
        ["breaching_metric_on_implemented_control", "Chatbot · accuracy"],
        ["high_risk_without_impact_assessment", "Loan Approver"],
        ["na_control_relied_on", "A.7.4"],
        ["recurring_category_rated_low", "Quality"],
    ]
    quality = checks[checks["check"] == "recurring_category_rated_low"].iloc[0]
    assert sorted(quality["refs"]) == ["I1", "I2", "I3"]  # I4 is older than 12 months
    assert (
        consistency_checks(store, as_of=dt.date(2026, 9, 29))["check"]
        .tolist()
        .count("breaching_metric_on_implemented_control")
        == 0
    )


def test_consistency_checks_on_an_empty_store(store):
    assert consistency_checks(store, as_of=Q3).empty


# --- review summary and headline summary on the demo -----------------------------------------------------


def test_review_follows_9_3_2_in_order(demo):
    review = review_summary(demo, quarter="2026-Q3")
    assert [s.code for s in review.sections] == ["a", "bc", "d1", "d2", "d3", "e"]
    d2 = {f.key: f for f in review.section("d2").figures}
    rate = d2["annex_a.implementation_rate"]
    assert (rate.value, rate.previous) == (pytest.approx(29 / 36), pytest.approx(26 / 36))
    assert rate.delta == pytest.approx(3 / 36) and rate.comparison and rate.on_target is True
    d1 = {f.key: f.value for f in review.section("d1").figures}
    assert d1["findings.overdue"] == 5
    assert review.section("e").figures[-1].value == len(consistency_checks(demo, as_of=Q3))


def test_first_quarter_has_no_comparison(demo):
    review = review_summary(demo, quarter="2025-Q2")
    for figure in review.section("d2").figures[:3]:
        assert figure.comparison is False and figure.delta is None and figure.previous is None
    assert data_coverage(demo, as_of=dt.date(2025, 3, 31)) == {
        "controls": False,
        "risks": False,
        "incidents": False,
        "findings": False,
        "audits": False,
        "monitoring": False,
        "objectives": True,
    }


def test_summary_tells_the_demo_story(demo):
    rates = [
        quarter_summary(demo, quarter=q, with_review=False)["annex_a"]["implementation_rate"]
        for q in ("2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")
    ]
    assert rates == pytest.approx([14 / 36, 17 / 36, 20 / 36, 23 / 36, 26 / 36, 29 / 36])
    q2 = quarter_summary(demo, quarter="2026-Q2", with_review=False)
    assert q2["incidents"]["serious_missed"] == 1  # INC-049
    q3 = quarter_summary(demo, quarter="2026-Q3")
    assert q3["findings"]["overdue"] == 5
    assert q3["monitoring"]["series_breaching_at_latest"] >= 1
    flat = headline_keys(q3)
    assert flat["annex_a.counts.implemented"] == 29 and flat["annex_a.applicable"] == 36
    assert sum(q3["risks"]["inherent_cells"].values()) == q3["risks"]["total"]
    json.dumps(q3, default=str)  # serialisable as the CLI prints it


def test_what_changed_in_the_demo(demo):
    from metrics.whats_new import what_changed

    changes = what_changed(demo, quarter="2026-Q3")
    regressed = changes[changes["change"] == "regressed"]
    assert regressed[["subject", "detail"]].values.tolist() == [
        ["A.6.2.6", "implemented → partially_implemented"],
        ["A.7.4", "implemented → partially_implemented"],
    ]
    assert changes[changes["change"] == "overdue"]["subject"].tolist() == [
        "F-008",
        "F-015",
        "F-018",
        "F-019",
        "F-024",
    ]
    assert set(changes[changes["area"] == "Monitoring"]["subject"]) == {
        "Credit scoring · accuracy",
        "Credit scoring · psi · income",
    }
    assert what_changed(demo, quarter="2025-Q2").empty  # nothing before it to compare with, nothing overdue


def test_filter_options_offer_the_inventory(demo):
    options = filter_options(demo)
    assert options.systems == ["Claims triage", "Credit scoring", "Customer chatbot", "Fraud detection"]
    assert len(options.units) >= 2 and options.quarters[-1] == "2026-Q3"
