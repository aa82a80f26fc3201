"""Coverage metrics on tiny SoA files: exact counts and rates, edge cases, and the identities between them.

The catalog has 38 Annex A controls in 9 objectives and 32 leaf subclauses in clauses 4-10. Evidence is
judged at 2026-09-30 with the default limit of 12 months: dated 2025-09-30 is fresh, 2025-09-29 is stale.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from metrics_support import Q2, Q3, Files, catalog_ids, control, excluded, setting_from

from metrics.coverage import (
    STATUSES,
    annex_a_rows,
    annex_a_summary,
    clause_summary,
    coverage_by_group,
    soa_completeness,
)
from metrics.coverage_changes import CHANGES, coverage_changes
from metrics.requirements import requirement_history, requirement_rows


@pytest.fixture
def files(store, tmp_path) -> Files:
    return Files(store, tmp_path)


def counts(**given: int) -> dict[str, int]:
    return {s: given.get(s, 0) for s in STATUSES}


# ---- clause_summary -------------------------------------------------------------------------------

CLAUSE_CASES = {
    "no SoA in force: nothing to measure": (
        [],
        dict(assessed=0, inherited=0, applicable=0, counts=counts(), stale_evidence=0),
        (None, None, None),
    ),
    "a missing subclause counts as not assessed": (
        [
            control("4.1"),
            control("4.2", "Partial"),
            control("5.1", "Planned"),
            control("5.2", "Not implemented"),
            control("5.3", "Not assessed"),
        ],
        dict(
            assessed=5,
            inherited=0,
            applicable=32,
            counts=counts(
                implemented=1, partially_implemented=1, planned=1, not_implemented=1, not_assessed=28
            ),
            stale_evidence=0,
        ),
        (1 / 32, 1.5 / 32, 1 / 32),
    ),
    "a parent's row covers its children that have none": (
        [control("9.2"), control("9.2.1", "Partial"), control("6.1", "Planned")],
        dict(
            assessed=6,
            inherited=5,
            applicable=32,
            counts=counts(implemented=1, partially_implemented=1, planned=4, not_assessed=26),
            stale_evidence=0,
        ),
        (1 / 32, 1.5 / 32, 1 / 32),
    ),
    "stale evidence: boundary, older, missing; not judged unless implemented or partial": (
        [
            control("4.1", evidence_date="2025-09-30"),
            control("4.2", evidence_date="2025-09-29"),
            control("4.3", evidence_date=""),
            control("4.4", "Partial", evidence_date="2024-01-01"),
            control("5.1", "Planned", evidence_date="2020-01-01"),
        ],
        dict(
            assessed=5,
            inherited=0,
            applicable=32,
            counts=counts(implemented=3, partially_implemented=1, planned=1, not_assessed=27),
            stale_evidence=3,
        ),
        (3 / 32, 3.5 / 32, 1 / 32),
    ),
}


@pytest.mark.parametrize(("rows", "expected", "rates"), CLAUSE_CASES.values(), ids=CLAUSE_CASES.keys())
def test_clause_summary(store, files, rows, expected, rates):
    if rows:
        files.soa(rows)
    summary = clause_summary(store, as_of=Q3)
    assert summary.requirements == 32
    assert summary.model_dump(include=set(expected)) == expected
    assert (summary.implementation_rate, summary.weighted_score, summary.implementation_rate_fresh) == rates
    assert sum(summary.counts.values()) == summary.applicable


def test_clause_summary_uses_the_evidence_age_of_the_day(store, files):
    # six months before 2026-09-30 is 2026-03-30: evidence of that day is fresh, of the day before stale
    files.soa([control("4.1", evidence_date="2026-03-30"), control("4.2", evidence_date="2026-03-29")])
    setting_from(store, "evidence_age_months", 6, Q2)
    assert clause_summary(store, as_of=Q3).stale_evidence == 1
    assert clause_summary(store, as_of=Q3).implementation_rate_fresh == 1 / 32


# ---- annex_a_summary and annex_a_rows (existing fields kept, stale evidence added) ----------------


def test_annex_a_summary_excludes_not_applicable_and_counts_stale_evidence(store, files):
    files.soa(
        [
            control("A.2.2", evidence_date="2025-09-30"),
            control("A.2.3", evidence_date="2025-09-29"),
            excluded("A.2.4"),
            control("A.3.2", "Partial", evidence_date=""),
            control("A.3.3", "Planned", justification=""),
        ]
    )
    summary = annex_a_summary(store, as_of=Q3)
    assert (summary.controls, summary.assessed, summary.applicable) == (38, 5, 37)
    assert summary.counts == {
        **counts(implemented=2, partially_implemented=1, planned=1, not_assessed=33),
        "not_applicable": 1,
    }
    assert (summary.implementation_rate, summary.weighted_score) == (2 / 37, 2.5 / 37)
    assert (summary.stale_evidence, summary.implementation_rate_fresh) == (2, 1 / 37)
    assert summary.without_justification == 34  # A.3.3 and the 33 controls not in the SoA
    assert summary.sources == ["soa_1.csv"]


def test_annex_a_summary_everything_not_applicable_has_no_rate(store, files):
    files.soa([excluded(i) for i in catalog_ids(store, "control")])
    summary = annex_a_summary(store, as_of=Q3)
    assert (summary.applicable, summary.counts["not_applicable"]) == (0, 38)
    assert (summary.implementation_rate, summary.weighted_score, summary.implementation_rate_fresh) == (
        None,
        None,
        None,
    )


def test_annex_a_rows_show_the_source_row(store, files):
    files.soa([control("A.2.2"), excluded("A.2.4")])
    rows = annex_a_rows(store, as_of=Q3).set_index("control_id")
    assert len(rows) == 38
    assert rows.loc["A.2.2", ["status", "file_name", "row_no"]].tolist() == ["implemented", "soa_1.csv", 2]
    assert rows.loc["A.2.4", ["status", "applicable"]].tolist() == ["not_applicable", False]
    assert rows.loc["A.2.3", "status"] == "not_assessed"


# ---- coverage_by_group --------------------------------------------------------------------------

GROUP_COLUMNS = [
    "id",
    "title",
    "requirements",
    "applicable",
    *STATUSES,
    "not_applicable",
    "implementation_rate",
    "weighted_score",
    "stale_evidence",
    "implementation_rate_fresh",
]


def test_coverage_by_objective(store, files):
    files.soa(
        [
            control("A.2.2"),
            excluded("A.2.3"),
            excluded("A.2.4"),
            control("A.4.2", evidence_date="2020-01-01"),
            control("A.4.3", "Partial"),
            control("A.4.4", "Planned"),
        ]
        + [excluded(i) for i in ("A.10.2", "A.10.3", "A.10.4")]
    )
    frame = coverage_by_group(store, as_of=Q3, level="objective")
    assert list(frame.columns) == GROUP_COLUMNS
    assert frame["id"].tolist() == ["A.2", "A.3", "A.4", "A.5", "A.6", "A.7", "A.8", "A.9", "A.10"]
    got = frame.set_index("id")
    assert got.loc["A.2", ["requirements", "applicable", "implemented", "not_applicable"]].tolist() == [
        3,
        1,
        1,
        2,
    ]
    assert got.loc["A.2", ["implementation_rate", "weighted_score"]].tolist() == [1.0, 1.0]
    assert got.loc["A.3", ["applicable", "not_assessed", "implementation_rate"]].tolist() == [2, 2, 0.0]
    assert got.loc["A.4", ["implemented", "partially_implemented", "planned", "not_assessed"]].tolist() == [
        1,
        1,
        1,
        2,
    ]
    assert got.loc["A.4", ["implementation_rate", "weighted_score"]].tolist() == [0.2, 0.3]
    assert got.loc["A.4", ["stale_evidence", "implementation_rate_fresh"]].tolist() == [1, 0.0]
    assert got.loc["A.10", "applicable"] == 0
    assert (
        got.loc["A.10", ["implementation_rate", "weighted_score", "implementation_rate_fresh"]].isna().all()
    )
    # identities: the statuses add up to the applicable requirements, the groups to the summary
    assert (frame[list(STATUSES)].sum(axis=1) == frame["applicable"]).all()
    summary = annex_a_summary(store, as_of=Q3)
    assert frame["applicable"].sum() == summary.applicable
    assert frame["stale_evidence"].sum() == summary.stale_evidence
    assert frame["requirements"].sum() == 38


def test_coverage_by_clause_counts_leaf_subclauses(store, files):
    files.soa([control("7.5"), control("7.1", "Not implemented")])
    frame = coverage_by_group(store, as_of=Q3, level="clause")
    assert frame["id"].tolist() == ["4", "5", "6", "7", "8", "9", "10"]
    assert frame["requirements"].tolist() == [4, 3, 6, 7, 4, 6, 2]
    seven = frame.set_index("id").loc["7"]
    assert seven[["applicable", "implemented", "not_implemented", "not_assessed"]].tolist() == [7, 3, 1, 3]
    assert seven["implementation_rate"] == 3 / 7
    total = clause_summary(store, as_of=Q3)
    assert frame["implemented"].sum() == total.counts["implemented"] == 3


def test_coverage_by_group_without_data_and_with_a_wrong_level(store):
    frame = coverage_by_group(store, as_of=Q3, level="clause")
    assert len(frame) == 7 and (frame["applicable"] == 0).all() and frame["implementation_rate"].isna().all()
    with pytest.raises(ValueError, match="level"):
        coverage_by_group(store, as_of=Q3, level="control")


# ---- scope override -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "implemented", "applicable", "a23_scope"),
    [
        ("organisation", 1, 38, "organisation"),
        ("Chatbot", 2, 37, "Chatbot"),  # its own A.2.3 and A.2.4 override the organisation's
        ("Unknown unit", 1, 38, "organisation"),  # no assessment of its own: the organisation's applies
    ],
)
def test_a_scope_overrides_the_organisation(store, files, scope, implemented, applicable, a23_scope):
    files.soa([control("A.2.2"), control("A.2.3", "Planned"), control("A.2.4", "Planned")])
    files.soa([control("A.2.3"), excluded("A.2.4")], scope="Chatbot")
    summary = annex_a_summary(store, as_of=Q3, scope=scope)
    assert (summary.counts["implemented"], summary.applicable) == (implemented, applicable)
    rows = requirement_rows(store, as_of=Q3, scope=scope, kind="control").set_index("id")
    assert rows.loc["A.2.3", "assessed_scope"] == a23_scope
    assert rows.loc["A.2.2", "assessed_scope"] == "organisation"
    group = coverage_by_group(store, as_of=Q3, scope=scope, level="objective").set_index("id")
    assert group.loc["A.2", "implemented"] == implemented


def test_only_a_scope_has_data_so_the_organisation_has_none(store, files):
    files.soa([control("4.1")], scope="Chatbot")
    assert clause_summary(store, as_of=Q3).applicable == 0
    assert clause_summary(store, as_of=Q3, scope="Chatbot").counts["implemented"] == 1


def test_the_snapshot_in_force_is_the_latest_on_or_before_the_date(store, files):
    files.soa([control("4.1", "Planned")], as_of=Q2)
    files.soa([control("4.1")], as_of=Q3)
    assert clause_summary(store, as_of=Q2).counts["planned"] == 1
    assert clause_summary(store, as_of=Q3.replace(day=29)).counts["planned"] == 1
    assert clause_summary(store, as_of=Q3).counts["implemented"] == 1
    assert clause_summary(store, as_of=Q2.replace(day=29)).applicable == 0


# ---- requirement_rows and requirement_history ----------------------------------------------------


def test_requirement_rows_for_controls_flag_stale_evidence_and_name_the_source(store, files):
    ref = files.soa(
        [
            control("A.2.2", evidence_date="2025-09-30"),
            control("A.2.3", evidence_date="2025-09-29"),
            excluded("A.2.4"),
            control("A.3.2", "Partial", evidence_date=""),
            control("A.3.3", "Planned", evidence_date=""),
        ]
    )
    rows = requirement_rows(store, as_of=Q3, kind="control")
    assert len(rows) == 38
    first = rows.head(6)
    assert first["id"].tolist() == ["A.2.2", "A.2.3", "A.2.4", "A.3.2", "A.3.3", "A.4.2"]
    assert first["status"].tolist() == [
        "implemented",
        "implemented",
        "not_applicable",
        "partially_implemented",
        "planned",
        "not_assessed",
    ]
    assert first["evidence_stale"].tolist() == [False, True, False, True, False, False]
    assert first["applicable"].tolist() == [True, True, False, True, True, True]
    assert first["row_no"].tolist()[:5] == [2, 3, 4, 5, 6]
    assert set(first["import_id"].head(5)) == {ref.import_id}
    assert first["file_name"].head(5).tolist() == ["soa_1.csv"] * 5
    assert pd.isna(first["file_name"].iloc[5])


def test_requirement_rows_for_subclauses_take_a_parent_row(store, files):
    files.soa([control("9.2", evidence_date="2025-01-01"), control("9.2.1", "Partial")])
    rows = requirement_rows(store, as_of=Q3, kind="subclause").set_index("id")
    assert len(rows) == 32 and "9.2" not in rows.index
    assert rows.loc["9.2.1", ["status", "source_id", "evidence_stale"]].tolist() == [
        "partially_implemented",
        "9.2.1",
        False,
    ]
    assert rows.loc["9.2.2", ["status", "source_id", "evidence_stale", "row_no"]].tolist() == [
        "implemented",
        "9.2",
        True,
        2,
    ]
    assert rows.loc["9.3.1", "status"] == "not_assessed"


def test_requirement_rows_without_data_and_with_a_wrong_kind(store):
    assert requirement_rows(store, as_of=Q3, kind="subclause").empty
    with pytest.raises(ValueError, match="kind"):
        requirement_rows(store, as_of=Q3, kind="clause")


def test_requirement_history_lists_live_snapshots_only(store, files):
    files.soa([control("A.2.2", "Planned"), control("9.2")], as_of=Q2)
    files.soa([control("A.2.2", "Partial")], as_of=Q3)  # superseded by the next one
    last = files.soa([control("A.2.2"), control("9.2.1", "Partial")], as_of=Q3)
    files.soa([excluded("A.2.2")], as_of=Q3, scope="Chatbot")
    history = requirement_history(store, requirement_id="A.2.2", scope="Chatbot")
    assert history[["scope", "status", "file_name"]].values.tolist() == [
        ["organisation", "planned", "soa_1.csv"],
        ["organisation", "implemented", "soa_3.csv"],
        ["Chatbot", "not_applicable", "soa_4.csv"],
    ]
    assert history["import_id"].iloc[1] == last.import_id
    assert len(requirement_history(store, requirement_id="A.2.2")) == 2
    leaf = requirement_history(store, requirement_id="9.2.1")
    assert leaf[["status", "source_id"]].values.tolist() == [
        ["implemented", "9.2"],
        ["partially_implemented", "9.2.1"],
    ]
    assert requirement_history(store, requirement_id="A.99").empty
    then = requirement_history(store, requirement_id="A.2.2", scope="Chatbot", as_of=Q2)
    assert then[["status", "file_name"]].values.tolist() == [["planned", "soa_1.csv"]]
    assert then["as_of"].dt.date.tolist() == [Q2]
    assert requirement_history(store, requirement_id="A.2.2", as_of=Q2 - dt.timedelta(days=1)).empty


# ---- soa_completeness -----------------------------------------------------------------------------


def test_soa_completeness(store, files):
    ids = catalog_ids(store, "control")
    empty = soa_completeness(store, as_of=Q3)
    assert (empty.controls, empty.with_decision, empty.with_justification, empty.complete) == (
        38,
        0,
        0,
        False,
    )
    assert empty.missing_decision == ids == empty.missing_justification

    files.soa([control(i) for i in ids], as_of=Q2)
    full = soa_completeness(store, as_of=Q2)
    assert (full.with_decision, full.with_justification, full.complete) == (38, 38, True)
    assert (full.missing_decision, full.missing_justification) == ([], [])

    files.soa([excluded(i, "") if i == "A.2.4" else control(i) for i in ids[:-1]], as_of=Q3)
    gaps = soa_completeness(store, as_of=Q3)
    assert (gaps.with_decision, gaps.with_justification, gaps.complete) == (37, 36, False)
    assert gaps.missing_decision == ["A.10.4"]
    assert gaps.missing_justification == ["A.2.4", "A.10.4"]


# ---- coverage_changes ------------------------------------------------------------------------------


def test_coverage_changes_against_the_previous_quarter(store, files):
    files.soa(
        [
            control("A.2.2", "Planned"),
            control("A.2.3"),
            control("A.2.4", "Partial"),
            control("A.3.2"),
            excluded("A.3.3"),
            control("A.4.4", "Not assessed"),
            control("A.5.2"),
        ],
        as_of=Q2,
    )
    files.soa(
        [
            control("A.2.2"),
            control("A.2.3", "Partial"),
            control("A.2.4", "Partial"),
            excluded("A.3.2"),
            control("A.3.3"),
            control("A.4.2"),
            control("A.4.4", "Not implemented"),
            control("A.8.2"),
        ],
        as_of=Q3,
    )
    frame = coverage_changes(store, quarter="2026-Q3")
    assert len(frame) == 38 + 9 and set(frame["change"]) <= set(CHANGES)
    assert frame["id"].head(5).tolist() == ["A.2", "A.2.2", "A.2.3", "A.2.4", "A.3"]
    got = frame.set_index("id")
    expected_controls = {
        "A.2.2": ("planned", "implemented", "improved"),
        "A.2.3": ("implemented", "partially_implemented", "regressed"),
        "A.2.4": ("partially_implemented", "partially_implemented", "unchanged"),
        "A.3.2": ("implemented", "not_applicable", "scope_change"),
        "A.3.3": ("not_applicable", "implemented", "scope_change"),
        "A.4.2": ("not_assessed", "implemented", "new"),
        "A.4.3": ("not_assessed", "not_assessed", "unchanged"),
        "A.4.4": ("not_assessed", "not_implemented", "improved"),
        "A.5.2": ("implemented", "not_assessed", "regressed"),
        "A.8.2": ("not_assessed", "implemented", "new"),
    }
    for control_id, (before, now, change) in expected_controls.items():
        assert tuple(got.loc[control_id, ["previous_status", "status", "change"]]) == (before, now, change), (
            control_id
        )
    expected_objectives = {
        "A.2": (1 / 3, 1 / 3, "unchanged"),
        "A.3": (1.0, 1.0, "unchanged"),
        "A.4": (0.0, 0.2, "improved"),  # A.4.4 was in the previous SoA (not assessed)
        "A.5": (0.25, 0.0, "regressed"),
        "A.6": (0.0, 0.0, "unchanged"),
        "A.8": (0.0, 0.25, "new"),  # none of its controls was in the previous SoA
    }
    for objective, (before, now, change) in expected_objectives.items():
        assert tuple(got.loc[objective, ["previous_rate", "rate", "change"]]) == (before, now, change), (
            objective
        )


def test_coverage_changes_without_a_previous_quarter_say_no_comparison(store, files):
    files.soa([control("A.2.2")], as_of=Q3)
    frame = coverage_changes(store, quarter="2026-Q3")
    assert len(frame) == 47 and set(frame["change"]) == {"no_comparison"}
    assert set(coverage_changes(store, quarter="2025-Q1")["change"]) == {"no_comparison"}
    assert frame.set_index("id").loc["A.2.2", "status"] == "implemented"


def test_coverage_changes_when_nothing_changed_and_for_a_scope(store, files):
    files.soa([control("A.2.2")], as_of=Q2)
    files.soa([control("A.2.2", "Partial")], as_of=Q3, scope="Chatbot")
    same = coverage_changes(store, quarter="2026-Q3")
    assert set(same["change"]) == {"unchanged"}
    scoped = coverage_changes(store, quarter="2026-Q3", scope="Chatbot").set_index("id")
    assert scoped.loc["A.2.2", "change"] == "regressed"
    with pytest.raises(ValueError):
        coverage_changes(store, quarter="2026-Q5")
