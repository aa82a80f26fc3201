"""The Clause coverage page under AppTest on the demo organisation: the figures shown equal the metrics,
and the filters, the drill-down and the URL change what is shown. Plus the page's views on tiny data.

The demo has a Statement of Applicability for every quarter from 2025-Q2 to 2026-Q3; 2025-Q2 is the first,
so it has nothing to compare with.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import page_support
import pandas as pd
import pytest
from metrics_support import Q2, Q3, SOA_HEADER, Files, control, excluded
from streamlit.testing.v1 import AppTest

from loaders.pipeline import LoadOptions
from metrics.coverage import annex_a_summary, clause_summary, coverage_by_group
from metrics.coverage_changes import coverage_changes
from metrics.requirements import requirement_history, requirement_rows
from metrics.views_evaluate import GAPS, control_changes, coverage_headline, requirement_view
from store.db import opened
from store.writer import load_file, open_store
from ui.coverage_charts import plain, soa_csv

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE = "pages/coverage.py"
END = {"2026-Q3": dt.date(2026, 9, 30), "2026-Q2": dt.date(2026, 6, 30), "2025-Q4": dt.date(2025, 12, 31)}


@pytest.fixture
def demo(demo_db, monkeypatch) -> Path:
    monkeypatch.setenv("AIMS_DB", str(demo_db))
    return demo_db


def open_page(query: dict[str, str] | None = None, *, quarter: str | None = None) -> AppTest:
    return page_support.open_page(PAGE, query, quarter=quarter)


def shown(at: AppTest) -> dict[str, str]:
    return page_support.metric_values(at)


def deltas(at: AppTest) -> dict[str, str]:
    return {m.label: m.delta for m in at.metric}


def table(at: AppTest, key: str):
    return at.main.get_by_key(key).dataframe[0].value


def chart(at: AppTest, key: str) -> dict:
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, key
    return json.loads(found[0].proto.spec)


def as_pct(rate: float) -> str:
    return f"{rate * 100:.1f}%"


# ---- figures equal the metrics ---------------------------------------------------------------------


def test_headline_figures_and_deltas_equal_the_metrics(demo):
    with opened(demo) as con:
        clauses = clause_summary(con, as_of=END["2026-Q3"])
        annex, annex_before = (annex_a_summary(con, as_of=END[q]) for q in ("2026-Q3", "2026-Q2"))
    at = open_page()
    assert at.title[0].value == "Clause coverage — 2026-Q3"
    figures = shown(at)
    assert figures["Clause implementation rate"] == as_pct(clauses.implementation_rate)
    assert figures["Annex A implementation rate"] == as_pct(annex.implementation_rate) == "80.6%"
    assert figures["Annex A weighted score"] == as_pct(annex.weighted_score) == "86.1%"
    assert figures["Controls with stale evidence"] == str(annex.stale_evidence) == "3"
    assert figures["Controls without justification"] == str(annex.without_justification)
    change = (annex.implementation_rate - annex_before.implementation_rate) * 100
    assert deltas(at)["Annex A implementation rate"] == f"{change:+.1f} pts" == "+8.3 pts"
    assert (
        deltas(at)["Controls with stale evidence"]
        == f"{annex.stale_evidence - annex_before.stale_evidence:+d}"
    )


def test_bars_and_counts_per_objective_equal_coverage_by_group(demo):
    with opened(demo) as con:
        objectives = coverage_by_group(con, as_of=END["2026-Q3"], level="objective")
        clauses = coverage_by_group(con, as_of=END["2026-Q3"], level="clause")
    at = open_page()
    bars = chart(at, "objective_bars")["data"]
    assert [t["name"] for t in bars] == ["Implementation rate", "Weighted score"]
    assert bars[0]["text"] == [f"{r * 100:.0f}%" for r in objectives["implementation_rate"]]
    assert bars[0]["text"][objectives["id"].tolist().index("A.9")] == "33%"
    assert bars[1]["text"] == [f"{r * 100:.0f}%" for r in objectives["weighted_score"]]
    assert len(chart(at, "clause_bars")["data"][0]["text"]) == len(clauses) == 7
    counts = table(at, "objective_table")
    assert counts["id"].tolist() == objectives["id"].tolist()
    assert counts["implemented"].tolist() == objectives["implemented"].tolist()
    assert counts["applicable"].sum() == 36  # 38 controls, 2 not applicable


# ---- interactions ---------------------------------------------------------------------------------


def test_a_gap_filter_narrows_the_statement_of_applicability(demo):
    with opened(demo) as con:
        rows = requirement_rows(con, as_of=END["2026-Q3"])
    stale = rows.loc[rows["evidence_stale"], "id"].tolist()
    open_ = rows.loc[
        rows["applicable"] & rows["status"].isin(["planned", "not_implemented", "not_assessed"]), "id"
    ]
    at = open_page()
    assert len(table(at, "soa_table")) == 38
    at.pills(key="soa_gaps").set_value(["stale_evidence"]).run()
    assert table(at, "soa_table")["id"].tolist() == stale == ["A.2.4", "A.4.2", "A.8.5"]
    at.pills(key="soa_gaps").set_value(["stale_evidence", "not_implemented"]).run()
    assert sorted(table(at, "soa_table")["id"]) == sorted(stale + open_.tolist())
    at.pills(key="soa_gaps").set_value(["no_owner"]).run()  # every demo control has an owner
    assert not at.exception
    assert [s.value for s in at.success] == ["No control has these gaps."]


def test_drill_down_from_objective_to_the_source_rows_of_a_control(demo):
    with opened(demo) as con:
        history = requirement_history(con, requirement_id="A.4.2")
    at = open_page()
    at.selectbox(key="coverage_group").set_value("A.4").run()
    members = at.main.get_by_key("coverage_requirements_A.4").value
    assert members["id"].tolist() == ["A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6"]
    at.session_state["coverage_requirements_A.4"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    shown_history = table(at, "coverage_history")
    assert shown_history["as_of"].tolist() == history["as_of"].tolist()
    assert shown_history["evidence"].tolist() == history["evidence"].tolist()
    sources = list(
        zip(shown_history["file_name"], shown_history["sheet"], shown_history["row_no"], strict=True)
    )
    assert sources == list(zip(history["file_name"], history["sheet"], history["row_no"], strict=True))
    assert sources[-1] == ("soa_2026-Q3.xlsx", "Statement of Applicability", 44)


def test_changes_show_regressed_and_new_controls(demo):
    with opened(demo) as con:
        changes = coverage_changes(con, quarter="2026-Q3")
    wanted = changes.loc[changes["change"].isin(["regressed", "new"]), "id"].tolist()
    at = open_page()
    assert len(table(at, "coverage_changes")) == len(changes)
    at.toggle(key="changes_only").set_value(True).run()
    narrowed = table(at, "coverage_changes")
    assert narrowed["id"].tolist() == wanted == ["A.6.2.6", "A.7.4"]
    assert set(narrowed["change"]) == {"▼ Regressed"}


def test_the_sidebar_quarter_changes_the_figures(demo):
    with opened(demo) as con:
        then = annex_a_summary(con, as_of=END["2025-Q4"])
    assert shown(open_page())["Annex A implementation rate"] == "80.6%"
    at = open_page(quarter="2025-Q4")
    assert at.title[0].value == "Clause coverage — 2025-Q4"
    assert shown(at)["Annex A implementation rate"] == as_pct(then.implementation_rate) != "80.6%"


def test_the_url_quarter_restores_the_view(demo):
    with opened(demo) as con:
        then = annex_a_summary(con, as_of=END["2025-Q4"])
    at = open_page({"quarter": "2025-Q4"})
    assert at.title[0].value == "Clause coverage — 2025-Q4"
    assert shown(at)["Annex A weighted score"] == as_pct(then.weighted_score)
    assert at.query_params["quarter"] == "2025-Q4"


def test_the_first_quarter_says_no_comparison_never_zero(demo):
    at = open_page({"quarter": "2025-Q2"})
    assert set(deltas(at).values()) == {"no comparison"}
    assert any(i.value.startswith("No comparison: no Statement of Applicability") for i in at.info)


# ---- empty states ---------------------------------------------------------------------------------


def test_empty_database_says_what_to_load(tmp_path, monkeypatch):
    monkeypatch.setenv("AIMS_DB", str(tmp_path / "empty.duckdb"))
    at = open_page()
    assert at.title[0].value == "Clause coverage"
    assert "load a Statement of Applicability on the Data page" in at.info[0].value
    assert len(at.metric) == 0


def test_no_soa_in_force_says_what_to_load(tmp_path, monkeypatch):
    path = tmp_path / "aims.duckdb"
    con = open_store(path)
    assert load_file(con, ROOT / "data/demo/risk_register_2026-Q3.xlsx", LoadOptions()).outcome == "loaded"
    con.close()
    monkeypatch.setenv("AIMS_DB", str(path))
    at = open_page()
    assert at.title[0].value == "Clause coverage — 2026-Q3"
    assert at.info[0].value.startswith("No Statement of Applicability is in force on 2026-09-30")
    assert "Data page" in at.info[0].value
    assert len(at.metric) == 0


# ---- the page's views and helpers on tiny data -----------------------------------------------------

OWNED = (*SOA_HEADER, "Owner")


@pytest.fixture
def files(store, tmp_path) -> Files:
    return Files(store, tmp_path)


def test_requirement_view_flags_each_gap(store, files):
    files.load(
        OWNED,
        [
            (*control("A.2.2"), "CRO"),  # no gap
            (*control("A.2.3", "Planned"), ""),  # not implemented, no owner
            (*excluded("A.2.4", justification=""), ""),  # no justification; excluded needs no owner
            (*control("A.3.2", evidence_date="2024-01-31"), "CTO"),  # stale evidence
        ],
        as_of=Q3,
        scope="organisation",
        stem="soa",
    )
    view = requirement_view(store, as_of=Q3, group="A.2").set_index("id")
    assert view["gaps"].to_dict() == {
        "A.2.2": [],
        "A.2.3": ["not_implemented", "no_owner"],
        "A.2.4": ["no_justification"],
    }
    assert requirement_view(store, as_of=Q3, gaps=("stale_evidence",))["id"].tolist() == ["A.3.2"]
    # 34 controls missing from the SoA: not assessed, so not implemented, without owner or justification
    missing = requirement_view(store, as_of=Q3, gaps=("no_justification",))
    assert len(missing) == 35 and "A.2.4" in set(missing["id"])
    assert len(requirement_view(store, as_of=Q3, gaps=GAPS)) == 37  # every control but A.2.2
    with pytest.raises(ValueError, match="gaps must be among"):
        requirement_view(store, as_of=Q3, gaps=("missing_evidence",))


def test_coverage_headline_compares_with_the_previous_quarter(store, files):
    files.soa([control("A.2.2", "Planned"), control("A.2.3")], as_of=Q2)
    files.soa([control("A.2.2"), control("A.2.3")], as_of=Q3)
    figures = {f.key: f for f in coverage_headline(store, quarter="2026-Q3")}
    rate = figures["annex_a.implementation_rate"]
    assert (rate.value, rate.previous, rate.comparison) == (2 / 38, 1 / 38, True)
    assert rate.delta == pytest.approx(1 / 38)
    assert (rate.target, rate.on_target) == (0.8, False)
    assert figures["annex_a.without_justification"].delta == 0  # 36 missing then and now
    first = coverage_headline(store, quarter="2026-Q2")
    assert all(not f.comparison and f.delta is None and f.previous is None for f in first)


def test_control_changes_adds_titles_and_narrows(store, files):
    files.soa([control("A.2.2"), control("A.2.3", "Planned")], as_of=Q2)
    files.soa([control("A.2.2", "Planned"), control("A.2.3"), control("A.2.4")], as_of=Q3)
    changes = control_changes(store, quarter="2026-Q3", changes=("regressed", "new"))
    assert changes[["id", "title", "change"]].values.tolist() == [
        ["A.2.2", "AI policy", "regressed"],
        ["A.2.4", "Review of the AI policy", "new"],
    ]
    assert len(control_changes(store, quarter="2026-Q3")) == len(coverage_changes(store, quarter="2026-Q3"))
    with pytest.raises(ValueError, match="changes must be among"):
        control_changes(store, quarter="2026-Q3", changes=("worse",))


def test_soa_csv_holds_every_row_with_its_source_and_defuses_formulas():
    frame = pd.DataFrame(
        {
            "id": ["A.2.2"],
            "title": ["AI policy"],
            "applicable": [True],
            "justification": ['Needed, "always"'],
            "status": ["implemented"],
            "owner": ["CRO"],
            "evidence": ["=HYPERLINK()"],
            "evidence_date": [pd.Timestamp("2026-06-04")],
            "last_reviewed": [pd.NaT],
            "evidence_stale": [False],
            "file_name": ["soa.xlsx"],
            "sheet": ["SoA"],
            "row_no": [7],
        }
    )
    text = soa_csv(frame).decode("utf-8-sig").splitlines()
    assert text[0].startswith("control,title,applicable,justification,status,owner,evidence,evidence date")
    assert text[0].endswith("source file,source sheet,source row")
    assert text[1] == (
        'A.2.2,AI policy,True,"Needed, ""always""",implemented,CRO,\'=HYPERLINK(),2026-06-04,,False,soa.xlsx,SoA,7'
    )
    # a cell a spreadsheet would run as a formula is written as text


def test_plain_escapes_markdown():
    assert plain("**Ops** [x](y) :red[z]") == "\\*\\*Ops\\*\\* \\[x\\]\\(y\\) \\:red\\[z\\]"
