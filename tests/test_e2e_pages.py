"""End to end in headless Chromium on the demo organisation: every page through the sidebar (keyboard-free),
one named figure read from each and compared with the metrics, a heatmap cell clicked, a broken upload
refused with row-precise problems, filters kept in the URL; a screenshot of every page."""

from __future__ import annotations

import re
import shutil

import pytest

from metrics.coverage import annex_a_summary
from metrics.findings import findings_summary
from metrics.incidents import incident_summary
from metrics.monitoring import monitoring_summary
from metrics.review import review_summary
from metrics.risks import heatmap, risk_summary
from store import db
from tests.browser_support import SHOTS, browser_page, chromium_path, running_app, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

Q = "2026-Q3"


@pytest.fixture(scope="module")
def expected(demo_db):
    with db.opened(demo_db) as con:
        as_of = db.scalar(con, "select max(as_of) from imports where dataset = 'controls'")
        review = review_summary(con, quarter=Q)
        overdue = next(f for f in review.section("d1").figures if f.key == "findings.overdue")
        residual = heatmap(con, as_of=as_of, rating="residual")
        cell = residual[residual["count"] > 0].sort_values(["count", "likelihood"], ascending=False).iloc[0]
        return {
            "Overview": (
                "Annex A implementation rate",
                f"{annex_a_summary(con, as_of=as_of).implementation_rate:.1%}",
            ),
            "Management review": ("Overdue actions", str(overdue.value)),
            "Clause coverage": (
                "Controls with stale evidence",
                str(annex_a_summary(con, as_of=as_of).stale_evidence),
            ),
            "Risks": ("Risks in the register", str(risk_summary(con, as_of=as_of).total)),
            "Incidents": ("Incidents detected", str(incident_summary(con, quarter=Q).total)),
            "Model monitoring": (
                "Series breaching now",
                str(monitoring_summary(con, quarter=Q).series_breaching_at_latest),
            ),
            "Findings and actions": ("Overdue actions", str(findings_summary(con, as_of=as_of).overdue)),
            "cell": (int(cell["likelihood"]), int(cell["impact"]), sorted(cell["risk_ids"])),
        }


@pytest.fixture(scope="module")
def app(demo_db, tmp_path_factory):
    chromium_path()
    folder = tmp_path_factory.mktemp("e2e")
    path = folder / "aims.duckdb"
    shutil.copyfile(demo_db, path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(path, folder / "app.log") as url, browser_page() as page:
        page.goto(url)
        wait_idle(page)
        yield url, page


def _nav(page, name: str) -> None:
    page.get_by_test_id("stSidebarNavLink").filter(has=page.get_by_text(name, exact=True)).click()
    wait_idle(page)


def _grid_text(frame) -> str:
    """The text of a dataframe: the grid is drawn on a canvas, its cells are in an accessible table."""
    frame.locator("[role=gridcell]").first.wait_for(state="attached")
    return " ".join(frame.locator("[role=gridcell]").all_text_contents())


def _metric(page, label: str) -> str:
    card = (
        page.get_by_test_id("stMetric")
        .filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
        .first
    )
    return card.get_by_test_id("stMetricValue").inner_text().strip()


PAGES = [
    "Overview",
    "Management review",
    "Clause coverage",
    "Risks",
    "Incidents",
    "Model monitoring",
    "Findings and actions",
]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_shows_its_figure(app, expected, name):
    url, page = app
    _nav(page, name)
    assert page.locator("h1").first.inner_text().endswith(Q)
    label, value = expected[name]
    assert _metric(page, label) == value
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(SHOTS / f"{name.lower().replace(' ', '_')}.png"), full_page=True)


def test_heatmap_click_lists_that_cells_risks(app, expected):
    url, page = app
    page.goto(url + "/risks?quarter=" + Q)
    wait_idle(page)
    likelihood, impact, risk_ids = expected["cell"]
    area = page.locator(".st-key-risk_heatmap [data-testid='stPlotlyChart'] .nsewdrag").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    page.mouse.click(
        box["x"] + (impact - 0.5) * box["width"] / 5, box["y"] + (5.5 - likelihood) * box["height"] / 5
    )
    wait_idle(page)
    heading = page.get_by_text(f"Risks in the cell likelihood {likelihood} × impact {impact}")
    heading.wait_for()
    table = page.locator(".st-key-cell_risks [data-testid=stDataFrame]")
    table.wait_for()
    shown = _grid_text(table)
    for risk_id in risk_ids:
        assert risk_id in shown
    page.screenshot(path=str(SHOTS / "risks_cell.png"), full_page=True)


def test_filters_stay_in_the_url_across_pages(app):
    url, page = app
    page.goto(url + "/?quarter=2025-Q4")
    wait_idle(page)
    assert page.locator("h1").first.inner_text() == "Overview — 2025-Q4"
    _nav(page, "Incidents")
    assert page.locator("h1").first.inner_text() == "Incidents — 2025-Q4"
    assert "quarter=2025-Q4" in page.url
    page.reload()
    wait_idle(page)
    assert page.locator("h1").first.inner_text() == "Incidents — 2025-Q4"


def test_broken_upload_is_refused_with_row_precise_problems(app, tmp_path):
    url, page = app
    broken = tmp_path / "incident_log_broken.csv"
    broken.write_text(
        "Incident ID,Date detected,Severity,Status\n"
        "INC-1,2026-08-01,High,Open\n"
        "INC-2,2026-13-45,High,Open\n"
        "INC-3,2026-08-03,Sometimes,Open\n",
        encoding="utf-8",
    )
    page.goto(url + "/data")
    wait_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(broken))
    page.get_by_role("button", name="Check files").click()
    wait_idle(page)
    page.get_by_text("2 problem(s)").wait_for()
    grid = (
        page.locator("[data-testid=stDataFrame]")
        .filter(has=page.locator("[role=gridcell]", has_text="bad_date"))
        .first
    )
    text = _grid_text(grid)
    assert "bad_date" in text and "unknown_severity" in text
    assert "2026-13-45" in text and "Sometimes" in text
    assert page.get_by_role("button", name=re.compile("^Load ")).count() == 0
    page.screenshot(path=str(SHOTS / "data_refused.png"), full_page=True)
