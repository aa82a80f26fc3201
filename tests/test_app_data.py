"""The Data page under AppTest: check before loading, load, refuse a broken file with row-precise
problems, and remove an import after a confirmation."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _xlsx(rows) -> bytes:
    import io

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Control ID", "Applicable?", "Implementation status", "Justification"])
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD = _xlsx(
    [("A.2.2", "Yes", "Implemented", "ok"), ("A.2.3", "Yes", "Planned", "ok"), ("A.2.4", "No", "", "n/a")]
)
BROKEN = _xlsx(
    [("A.2.2", "Yes", "Implemented", "ok"), ("A.9.9", "Yes", "Done", "x"), ("A.2.4", "Yes", "Maybe", "x")]
)


@pytest.fixture
def at(tmp_path, monkeypatch):
    monkeypatch.setenv("AIMS_DB", str(tmp_path / "aims.duckdb"))
    app = AppTest.from_file(APP, default_timeout=30)
    app.run()
    app.switch_page("pages/data.py").run()
    assert not app.exception
    return app


def _check(at, name: str, data: bytes) -> None:
    at.file_uploader(key="upload_files").upload(name, data, "application/octet-stream")
    next(b for b in at.button if b.label == "Check files").click()
    at.run()
    assert not at.exception


def _count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db)) as con:
        return con.execute(sql).fetchone()[0]


def test_check_then_load(at, tmp_path):
    _check(at, "soa_2026-Q3.xlsx", GOOD)
    assert [s.value for s in at.success] == ["ready to load"]
    assert any("as of 2026-09-30 (file name)" in c.value for c in at.caption)
    load = next(b for b in at.button if b.label.startswith("Load 1 file"))
    load.click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["soa_2026-Q3.xlsx: loaded (3 rows)"]
    db = tmp_path / "aims.duckdb"
    assert _count(db, "select count(*) from controls") == 3
    assert (
        _count(db, "select count(*) from imports where outcome = 'loaded' and file_name = 'soa_2026-Q3.xlsx'")
        == 1
    )


def test_broken_file_shows_row_precise_problems_and_loads_nothing(at, tmp_path):
    _check(at, "broken.xlsx", BROKEN)
    assert [e.value for e in at.error][:1] == ["2 problem(s)"]
    problems = next(d.value for d in at.dataframe if "code" in d.value.columns)
    assert problems[["code", "row", "column", "value"]].values.tolist() == [
        ["unknown_requirement", 3, "Control ID", "A.9.9"],
        ["unknown_status", 4, "Implementation status", "Maybe"],
    ]
    assert not any(b.label.startswith("Load ") for b in at.button)
    assert (
        not (tmp_path / "aims.duckdb").exists()
        or _count(tmp_path / "aims.duckdb", "select count(*) from controls") == 0
    )


def test_a_file_wrong_in_every_row_shows_the_count_first(at):
    """12,000 rows with text in a number: the badge counts all of them; the table first says how many rows
    beyond the listed ones have the problem, then lists the first `LISTED` from row 2."""
    from loaders.messages import LISTED

    lines = "".join(
        f"2026-07-01 {i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d},Credit scoring,v3,psi,income,n/a,0.1,0.2\n"
        for i in range(12_000)
    )
    header = "timestamp,ai_system,model_version,metric,feature,value,lower_threshold,upper_threshold\n"
    _check(at, "monitoring_2026-09-30.csv", (header + lines).encode())
    assert [e.value for e in at.error][:1] == ["12,000 problem(s)"]
    problems = next(d.value for d in at.dataframe if "code" in d.value.columns)
    bad = problems[problems["code"] == "bad_number"]
    assert len(bad) == LISTED + 1 and bad["row"].tolist()[1:3] == [2, 3]
    first = bad.iloc[0]
    assert first["column"] == "value" and pd.isna(first["row"])  # it stands for rows, it is none
    assert first["expected"].startswith(f"a number; {12_000 - LISTED:,} more row(s) with this problem")
    assert not any(b.label.startswith("Load ") for b in at.button)


def test_remove_after_confirmation(at, tmp_path):
    _check(at, "soa_2026-Q3.xlsx", GOOD)
    next(b for b in at.button if b.label.startswith("Load 1 file")).click().run()
    at.selectbox(key="remove_id").select(1).run()
    next(b for b in at.button if b.label == "Remove…").click().run()
    assert not at.exception
    next(b for b in at.button if b.key == "confirm_remove_button").click().run()
    assert not at.exception
    db = tmp_path / "aims.duckdb"
    assert _count(db, "select count(*) from controls") == 0
    assert (
        _count(db, "select count(*) from imports where outcome = 'removed' and removed_by is not null") == 1
    )


def test_settings_are_saved_with_their_date_and_validated(at, tmp_path):
    at.number_input(key="set_appetite").set_value(12)
    at.text_input(key="settings_note").input("board decision")
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert not at.exception
    assert [s.value for s in at.success][-1] == "Saved 1 change(s)."
    db = tmp_path / "aims.duckdb"
    with duckdb.connect(str(db)) as con:
        assert con.execute("select key, value, note from settings").fetchall() == [
            ("risk_appetite", "12", "board decision")
        ]
    at.text_input(key="settings_bands").input('{"low": [1, 4]}')
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert "risk_bands" in at.error[-1].value and "cover every score" in at.error[-1].value


def test_templates_are_offered_for_every_dataset(at):
    from loaders.contracts import CONTRACTS

    labels = {b.label for b in at.get("download_button")}
    assert {c.title for c in CONTRACTS.values()} <= labels


@pytest.mark.slow
def test_the_pages_checks_and_loads_keep_duckdbs_memory_under_the_cap(tmp_path, monkeypatch):
    """The Data page's check and load (`ui.actions`) cap DuckDB's memory as `aims load` does: under a cap
    too small for a file the generic path stages whole (numeric dates whose first lines do not tell the
    day-month order), both say so and nothing is
    stored; under a larger cap it spills to disk and loads."""
    import datetime as dt

    from ui import actions

    db = tmp_path / "aims.duckdb"
    monkeypatch.setenv("AIMS_DB", str(db))
    minutes = [i // 7 for i in range(200_000)]  # seven features a minute
    lines = "".join(
        f"{1 + m // 1440:02d}/07/2026 {m // 60 % 24:02d}:{m % 60:02d},credit-scoring,v1,psi,"
        f"feature_{i % 7},0.{i % 97:02d},0.1,0.9\n"
        for i, m in enumerate(minutes)
    )
    header = "timestamp,ai_system,model_version,metric,feature,value,lower_threshold,upper_threshold\n"
    upload = actions.Upload("monitoring_dayfirst.csv", (header + lines).encode())
    # no day-first option: the first lines do not tell the order, so the generic path reads the file
    options = {"dataset": "monitoring", "as_of": dt.date(2026, 9, 30), "scope": "", "dayfirst": None}

    monkeypatch.setenv("AIMS_LOAD_MEMORY", "24MB")
    [checked] = actions.check_uploads([upload], **options)
    [refused] = actions.load_uploads([upload], user="tester", **options)
    for result in (checked, refused):
        [problem] = result.problems
        assert (
            problem.code == "unreadable_file" and "too large for the memory loading may take" in problem.text
        )
    assert refused.outcome == "refused"
    assert _count(db, "select count(*) from monitoring") == 0

    monkeypatch.setenv("AIMS_LOAD_MEMORY", "96MB")
    [loaded] = actions.load_uploads([upload], user="tester", **options)
    assert loaded.outcome == "loaded" and _count(db, "select count(*) from monitoring") == 200_000
