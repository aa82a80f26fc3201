"""The Overview page under AppTest: shown figures equal an independent SQL count over a fixture."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from loaders.pipeline import LoadOptions
from store.writer import load_file, open_store

APP = str(Path(__file__).resolve().parents[1] / "app.py")

# 10 Annex A controls assessed; A.2.4 and A.10.4 excluded; the other 28 are missing (not assessed).
SOA = [
    ("A.2.2", "Yes", "Implemented", "Policy approved"),
    ("A.2.3", "Yes", "Implemented", "Aligned"),
    ("A.2.4", "No", "", "Reviewed with A.2.2"),
    ("A.3.2", "Yes", "Partially implemented", "RACI drafted"),
    ("A.3.3", "Yes", "Planned", "Hotline planned"),
    ("A.4.2", "Yes", "Implemented", ""),
    ("A.4.3", "Yes", "Not implemented", "Data inventory missing"),
    ("A.5.2", "Yes", "Implemented", "Process live"),
    ("A.6.2.6", "Yes", "Partially implemented", "Drift monitors on two of four systems"),
    ("A.10.4", "N/A", "", "No customers use our AI systems"),
]


def _workbook(path: Path, rows, title="ACME SoA") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "SoA"
    ws.append([title])
    ws.append(["Control ID", "Applicable?", "Implementation status", "Justification"])
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


@pytest.fixture
def loaded_db(tmp_path, monkeypatch):
    path = tmp_path / "aims.duckdb"
    con = open_store(path)
    result = load_file(con, _workbook(tmp_path / "soa.xlsx", SOA), LoadOptions(as_of=dt.date(2026, 9, 30)))
    assert result.outcome == "loaded"
    con.close()
    monkeypatch.setenv("AIMS_DB", str(path))
    return path


def _independent_rate(path: Path) -> tuple[int, int]:
    """Implemented and applicable Annex A controls, counted straight from the stored rows."""
    with duckdb.connect(str(path)) as con:
        implemented = con.execute(
            "select count(*) from controls where requirement_id like 'A.%' and applicable and status = 'implemented'"
        ).fetchone()[0]
        excluded = con.execute(
            "select count(*) from controls where requirement_id like 'A.%' and not applicable"
        ).fetchone()[0]
    return implemented, 38 - excluded


def test_overview_shows_rate_equal_to_independent_count(loaded_db):
    implemented, applicable = _independent_rate(loaded_db)
    assert (implemented, applicable) == (4, 36)  # A.2.2, A.2.3, A.4.2, A.5.2 of 38 - 2 excluded
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Annex A implementation rate"] == f"{implemented / applicable * 100:.1f}%" == "11.1%"
    # (4 + 0.5 x 2) / 36 = 13.9%
    assert shown["Annex A weighted score"] == "13.9%"
    # A.4.2 has an empty justification, and 28 controls are not in the SoA at all
    assert any(
        "4 implemented of 36 applicable controls" in c.value and "29 without justification" in c.value
        for c in at.caption
    )
    assert at.title[0].value == "Overview — 2026-Q3"
    assert at.query_params["quarter"] == "2026-Q3"
    assert "Data as of 30 September 2026" in [c.value for c in at.sidebar.caption]


def test_empty_database_shows_how_to_start(tmp_path, monkeypatch):
    monkeypatch.setenv("AIMS_DB", str(tmp_path / "empty.duckdb"))
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    assert len(at.metric) == 0
    assert "No data is loaded yet" in at.info[0].value
    assert "aims demo" in at.info[0].value


def test_url_quarter_selects_the_view(loaded_db, tmp_path):
    con = open_store(loaded_db)
    earlier = [(c, "Yes", "Implemented", "ok") for c, *_ in SOA[:2]]
    load_file(con, _workbook(tmp_path / "soa_q1.xlsx", earlier), LoadOptions(as_of=dt.date(2026, 3, 31)))
    con.close()
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["quarter"] = "2026-Q1"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Overview — 2026-Q1"
    shown = {m.label: m.value for m in at.metric}
    assert shown["Annex A implementation rate"] == f"{2 / 38 * 100:.1f}%"  # nothing excluded in Q1
    at.sidebar.selectbox(key="quarter").select("2026-Q3").run()
    assert {m.label: m.value for m in at.metric}["Annex A implementation rate"] == "11.1%"
    assert at.title[0].value == "Overview — 2026-Q3"
