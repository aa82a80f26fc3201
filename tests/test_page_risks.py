"""The Risks page under AppTest on the demo organisation: the figures and the heatmap's numbers equal the
metrics, and the rating toggle, a cell selection, the quarter and the URL change what is shown. Plus the
page's views and chart helpers on tiny data.

The demo has a risk register for every quarter from 2025-Q2 to 2026-Q3 (26 risks at 2026-Q3, one more
than at 2026-Q2); 2025-Q2 is the first, so it has nothing to compare with.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import page_support
import pytest
from metrics_support import Q2, Q3, Files, risk
from streamlit.testing.v1 import AppTest

from loaders.pipeline import LoadOptions
from metrics.risk_changes import quarter_movement
from metrics.risks import heatmap, risk_register, risk_summary
from metrics.views_evaluate import cell_risks, risk_gaps, risk_headline
from store.db import opened
from store.writer import load_file, open_store
from ui.risk_charts import heatmap_figure, selected_cell

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE = "pages/risks.py"
END = {"2026-Q3": dt.date(2026, 9, 30), "2025-Q4": dt.date(2025, 12, 31)}


@pytest.fixture
def demo(demo_db, monkeypatch) -> Path:
    monkeypatch.setenv("AIMS_DB", str(demo_db))
    return demo_db


def open_page(query: dict[str, str] | None = None, *, quarter: str | None = None) -> AppTest:
    return page_support.open_page(PAGE, query, quarter=quarter)


def shown(at: AppTest) -> dict[str, str]:
    return page_support.metric_values(at)


def grid_shown(at: AppTest, key: str = "risk_heatmap") -> list[list[int]]:
    """The counts written in the heatmap's cells: rows are likelihood 1-5, columns impact 1-5."""
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, key
    cells = json.loads(found[0].proto.spec)["data"][0]["text"]
    return [[int(n) for n in row] for row in cells]


def grid_expected(frame) -> list[list[int]]:
    counts = frame.set_index(["likelihood", "impact"])["count"]
    return [[int(counts[(lk, im)]) for im in range(1, 6)] for lk in range(1, 6)]


def table(at: AppTest, key: str):
    return at.main.get_by_key(key).dataframe[0].value


def click(cell: str) -> dict:
    """The selection state a click on a cell's marker gives (what the browser sends back)."""
    likelihood, impact = (int(v) for v in cell.split("x"))
    point = {"x": impact, "y": likelihood, "customdata": cell, "curve_number": 2, "point_index": 0}
    return {"selection": {"points": [point], "point_indices": [0], "box": [], "lasso": []}}


# ---- figures equal the metrics ---------------------------------------------------------------------


def test_headline_figures_equal_risk_summary(demo):
    with opened(demo) as con:
        now = risk_summary(con, as_of=END["2026-Q3"])
        before = risk_summary(con, as_of=dt.date(2026, 6, 30))
    at = open_page()
    assert at.title[0].value == "Risks — 2026-Q3"
    figures = shown(at)
    assert figures["Risks in the register"] == str(now.total) == "26"
    assert figures["Above appetite"] == str(now.above_appetite) == "3"
    assert figures["Untreated above appetite"] == str(now.above_appetite_untreated) == "1"
    assert figures["No linked control"] == str(now.without_linked_control)
    assert {m.label: m.delta for m in at.metric}["Risks in the register"] == f"{now.total - before.total:+d}"


def test_the_rating_toggle_changes_the_heatmap_numbers(demo):
    with opened(demo) as con:
        residual = grid_expected(heatmap(con, as_of=END["2026-Q3"], rating="residual"))
        inherent = grid_expected(heatmap(con, as_of=END["2026-Q3"], rating="inherent"))
    assert residual != inherent
    at = open_page()
    assert grid_shown(at) == residual  # the page opens on the residual rating
    assert sum(map(sum, grid_shown(at))) == 26
    at.segmented_control(key="risk_rating").set_value("inherent").run()
    assert grid_shown(at) == inherent
    assert grid_shown(at)[2][2] == 8  # likelihood 3 x impact 3 holds 8 risks before treatment


def test_the_previous_quarter_is_shown_beside(demo):
    with opened(demo) as con:
        before = grid_expected(heatmap(con, as_of=dt.date(2026, 6, 30), rating="residual"))
    at = open_page()
    assert grid_shown(at, "risk_heatmap_previous") == before
    at.toggle(key="risk_compare").set_value(False).run()
    assert [c for c in at.get("plotly_chart") if c.proto.id.endswith("-risk_heatmap_previous")] == []


@pytest.mark.parametrize("rating", ["residual", "inherent"])
def test_a_selected_cell_lists_exactly_its_risks(demo, rating):
    with opened(demo) as con:
        grid = heatmap(con, as_of=END["2026-Q3"], rating=rating).set_index(["likelihood", "impact"])
    expected = list(grid.loc[(3, 3), "risk_ids"])
    at = open_page()
    at.segmented_control(key="risk_rating").set_value(rating).run()
    at.session_state["risk_heatmap"] = click("3x3")
    at.run()
    assert not at.exception
    assert table(at, "cell_risks")["risk_id"].tolist() == expected
    assert len(expected) == (4 if rating == "residual" else 8)
    assert any(m.value.startswith("**Risks in the cell likelihood 3 × impact 3**") for m in at.markdown)


def test_an_empty_cell_says_so(demo):
    at = open_page()
    at.session_state["risk_heatmap"] = click("5x5")
    at.run()
    assert "No risk sits in this cell." in [i.value for i in at.info]


def test_gap_tables_hold_the_rows_behind_the_figures(demo):
    with opened(demo) as con:
        register = risk_register(con, as_of=END["2026-Q3"])
    untreated = register[register["above_appetite"] & register["treatment"].isna()]
    at = open_page()
    assert table(at, "gap_untreated_above_appetite")["risk_id"].tolist() == untreated["risk_id"].tolist()
    assert untreated["risk_id"].tolist() == ["R-026"]
    rows = table(at, "risk_register")
    assert len(rows) == 26 and {"file_name", "sheet", "row_no"} <= set(rows.columns)
    assert rows.set_index("risk_id").loc["R-026", ["file_name", "row_no"]].tolist() == [
        "risk_register_2026-Q3.xlsx",
        27,
    ]


def test_movement_since_the_previous_quarter(demo):
    with opened(demo) as con:
        movement = quarter_movement(con, quarter="2026-Q3")
    at = open_page()
    shown_movement = table(at, "quarter_movement")
    assert shown_movement["risk_id"].tolist() == movement["risk_id"].tolist()
    new = movement.loc[movement["movement"] == "new", "risk_id"].tolist()
    assert shown_movement.loc[shown_movement["movement"] == "★ New", "risk_id"].tolist() == new
    assert len(new) == 1


def test_the_sidebar_quarter_changes_the_figures(demo):
    with opened(demo) as con:
        then = risk_summary(con, as_of=END["2025-Q4"])
        grid = grid_expected(heatmap(con, as_of=END["2025-Q4"], rating="residual"))
    at = open_page(quarter="2025-Q4")
    assert at.title[0].value == "Risks — 2025-Q4"
    assert shown(at)["Risks in the register"] == str(then.total) == "25"
    assert shown(at)["Above appetite"] == str(then.above_appetite) == "1"
    assert grid_shown(at) == grid


def test_the_url_quarter_restores_the_view(demo):
    with opened(demo) as con:
        then = risk_summary(con, as_of=END["2025-Q4"])
    at = open_page({"quarter": "2025-Q4"})
    assert at.title[0].value == "Risks — 2025-Q4"
    assert shown(at)["Risks in the register"] == str(then.total)
    assert at.query_params["quarter"] == "2025-Q4"
    at.segmented_control(key="risk_rating").set_value("inherent").run()  # the view stays on 2025-Q4
    assert at.title[0].value == "Risks — 2025-Q4"


def test_the_first_quarter_says_no_comparison_never_zero(demo):
    at = open_page({"quarter": "2025-Q2"})
    assert {m.delta for m in at.metric} == {"no comparison"}
    assert at.info[0].value == "No risk register was in force on 2025-03-31: nothing to compare."


# ---- empty states ---------------------------------------------------------------------------------


def test_empty_database_says_what_to_load(tmp_path, monkeypatch):
    monkeypatch.setenv("AIMS_DB", str(tmp_path / "empty.duckdb"))
    at = open_page()
    assert at.title[0].value == "Risks"
    assert "load a risk register on the Data page" in at.info[0].value


def test_no_register_in_force_says_what_to_load(tmp_path, monkeypatch):
    path = tmp_path / "aims.duckdb"
    con = open_store(path)
    assert load_file(con, ROOT / "data/demo/soa_2026-Q3.xlsx", LoadOptions()).outcome == "loaded"
    con.close()
    monkeypatch.setenv("AIMS_DB", str(path))
    at = open_page()
    assert at.title[0].value == "Risks — 2026-Q3"
    assert at.info[0].value == (
        "No risk register is in force on 2026-09-30: load one on the Data page, or choose a later quarter."
    )
    assert len(at.metric) == 0 and len(at.get("plotly_chart")) == 0


# ---- the page's views and chart helpers on tiny data -----------------------------------------------


@pytest.fixture
def files(store, tmp_path) -> Files:
    return Files(store, tmp_path)


def test_cell_risks_are_the_risks_the_heatmap_counts(store, files):
    files.risks([risk("R-1", "4x5", "2x3"), risk("R-2", "4x5"), risk("R-3", "2x3", "2x3")])
    assert cell_risks(store, as_of=Q3, cell="4x5")["risk_id"].tolist() == ["R-1", "R-2"]
    assert cell_risks(store, as_of=Q3, cell="2x3", rating="residual")["risk_id"].tolist() == ["R-1", "R-3"]
    assert cell_risks(store, as_of=Q3, cell="4x5", rating="residual").empty  # R-2 has no residual rating
    grid = heatmap(store, as_of=Q3, rating="inherent").set_index(["likelihood", "impact"])
    assert list(grid.loc[(4, 5), "risk_ids"]) == ["R-1", "R-2"]
    for bad in ("6x1", "4-5", ""):
        with pytest.raises(ValueError, match="cell must be written"):
            cell_risks(store, as_of=Q3, cell=bad)


def test_risk_gaps(store, files):
    files.risks(
        [
            risk("R-1", "5x5", "4x4", treatment=""),  # 16 > 9, untreated
            risk("R-2", "5x5", "2x2", treatment=""),  # within appetite
            risk("R-3", "4x4", "", treatment="", linked=""),  # rated by inherent 16, untreated, no control
            risk("R-4", "5x5", "4x3"),  # treated
        ]
    )
    assert risk_gaps(store, as_of=Q3, gap="untreated_above_appetite")["risk_id"].tolist() == ["R-1", "R-3"]
    assert risk_gaps(store, as_of=Q3, gap="without_linked_control")["risk_id"].tolist() == ["R-3"]
    summary = risk_summary(store, as_of=Q3)
    assert (summary.above_appetite_untreated, summary.without_linked_control) == (2, 1)
    with pytest.raises(ValueError, match="gap must be one of"):
        risk_gaps(store, as_of=Q3, gap="overdue")


def test_risk_headline_compares_with_the_previous_quarter(store, files):
    files.risks([risk("R-1", "5x5", "4x4")], as_of=Q2)
    files.risks([risk("R-1", "5x5", "2x2"), risk("R-2", "3x3", linked="")], as_of=Q3)
    figures = {f.key: f for f in risk_headline(store, quarter="2026-Q3")}
    assert (figures["risks.total"].value, figures["risks.total"].delta) == (2, 1)
    assert (figures["risks.above_appetite"].value, figures["risks.above_appetite"].delta) == (0, -1)
    assert (
        figures["risks.without_linked_control"].previous,
        figures["risks.without_linked_control"].delta,
    ) == (0, 1)
    first = risk_headline(store, quarter="2026-Q2")
    assert all(not f.comparison and f.delta is None and f.previous is None for f in first)
    # a filter that keeps no risk still compares: a register was in force
    filtered = risk_headline(store, quarter="2026-Q3", system="nothing")
    assert all(f.comparison and f.delta == 0 for f in filtered)


def test_heatmap_figure_writes_counts_and_bands_and_carries_the_cell(store, files):
    files.risks([risk("R-1", "4x5"), risk("R-2", "4x5"), risk("R-3", "1x1")])
    fig = heatmap_figure(heatmap(store, as_of=Q3)).to_plotly_json()
    cells, bands, markers = fig["data"]
    assert cells["text"][3][4] == "2" and cells["text"][0][0] == "1" and cells["text"][2][2] == "0"
    assert bands["text"][4 * 5 + 3] == "critical"  # likelihood 5 x impact 4 = 20
    assert markers["customdata"][3 * 5 + 4] == "4x5"
    assert markers["marker"]["opacity"] == 0 and markers["mode"] == "markers"


@pytest.mark.parametrize(
    ("state", "cell"),
    [
        (click("4x5"), "4x5"),
        ({"selection": {"points": [{"customdata": ["2x3"]}]}}, "2x3"),
        ({"selection": {"points": [{"customdata": "9x9"}]}}, None),
        ({"selection": {"points": []}}, None),
        ({}, None),
        (None, None),
    ],
)
def test_selected_cell_reads_the_selection_state(state, cell):
    assert selected_cell(state) == cell
