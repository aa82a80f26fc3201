"""End to end in a real headless Chromium: the app runs, a workbook is loaded through the CLI while it
runs, and the Overview shows the implementation rate."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.browser_support import SHOTS, browser_page, chromium_path, running_app, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AIMS = str(Path(sys.executable).with_name("aims"))


def _soa(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Statement of Applicability — ACME"])
    ws.append([" Control ID ", "Applicable?", "Implementation Status", "Justification"])
    controls = ["A.2.2", "A.2.3", "A.2.4", "A.3.2", "A.3.3", "A.4.2"]
    statuses = ["Implemented", "Implemented", "N/A", "Partially Implemented", "Planned", "Implemented"]
    for control, status in zip(controls, statuses, strict=True):
        ws.append([f" {control.lower()} ", "No" if status == "N/A" else "Yes", status, "see policy"])
    wb.save(path)
    return path


def test_overview_in_browser_after_cli_load(tmp_path):
    from playwright.sync_api import expect

    chromium_path()
    db = tmp_path / "aims.duckdb"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(db, tmp_path / "app.log") as url, browser_page() as page:
        page.goto(url)
        wait_idle(page)
        expect(page.get_by_text("No data is loaded yet")).to_be_visible()
        loaded = subprocess.run(
            [AIMS, "load", str(_soa(tmp_path / "soa.xlsx")), "--db", str(db), "--as-of", "2026-09-30"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        assert "rows 6" in loaded.stdout
        page.goto(url + "/?quarter=2026-Q3&scope=organisation")
        wait_idle(page)
        expect(page.get_by_role("heading", name="Overview — 2026-Q3")).to_be_visible()
        rate = page.get_by_test_id("stMetric").filter(has_text="Annex A implementation rate")
        # 3 implemented of 37 applicable (38 - A.2.4) = 8.1%
        expect(rate.get_by_test_id("stMetricValue")).to_have_text("8.1%")
        assert re.search(r"quarter=2026-Q3", page.url)
        page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)
