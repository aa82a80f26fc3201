"""Crowds: eight readers use the app's access pattern (a short-lived connection per call) and app sessions
come and go while an import commits in another process. Nobody sees an error, the import goes through,
and afterwards the pages (Monitoring, Data, Overview) show the new data, old sessions and new alike."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, aims_command
from page_support import frame, show

from loaders.pipeline import LoadOptions
from metrics.inventory import loaded_datasets
from metrics.monitoring import health_matrix, monitoring_summary
from store import db
from store.writer import load_file, open_store

pytestmark = pytest.mark.slow

FIXTURES = ROOT / "tests" / "fixtures" / "datasets"
AS_OF = dt.date(2026, 9, 30)
READERS = 8
NEW_POINTS = 300_000


def _points_file(path: Path) -> Path:
    """NEW_POINTS monitoring points in 2026-Q3 of a metric the fixtures do not have."""
    with duckdb.connect() as con:
        con.execute(
            f"""copy (
                  select strftime(timestamp '2026-07-01' + to_seconds(i * 20), '%Y-%m-%d %H:%M:%S') as "Timestamp",
                         'Credit Scoring' as "AI system", 'crowd_metric' as "Metric", 'f' || (i % 7) as "Feature",
                         round((i % 1000) / 1000.0, 3) as "Value", 0.05 as "Lower threshold"
                  from range({NEW_POINTS}) t(i)
                ) to '{path}' (header, delimiter ',')"""
        )
    return path


def _points_in_quarter(path: Path) -> int:
    with db.opened(path, wait=60) as con:
        return monitoring_summary(con, quarter="2026-Q3").points


@pytest.fixture
def shop(tmp_path, monkeypatch) -> Path:
    """A store with systems and a few monitoring points, opened by the app through `AIMS_DB`."""
    path = tmp_path / "aims.duckdb"
    with open_store(path) as con:
        for name in ("systems_clean.csv", "monitoring_clean.csv"):
            result = load_file(con, FIXTURES / name, LoadOptions(as_of=AS_OF))
            assert result.outcome == "loaded", [m.describe() for m in result.problems]
    monkeypatch.setenv("AIMS_DB", str(path))
    return path


def _reader(path: Path, stop: threading.Event, errors: list[BaseException], calls: list[int]) -> None:
    while not stop.is_set():
        try:
            with db.opened(path, wait=60) as con:  # the pattern of ui.data: one connection per call
                monitoring_summary(con, quarter="2026-Q3")
                health_matrix(con, as_of=AS_OF)
                loaded_datasets(con, as_of=AS_OF)
            calls.append(1)
        except BaseException as exc:  # every error counts, "connection is busy" first of all
            errors.append(exc)
            return
        time.sleep(0.01)


def test_readers_and_an_import_in_another_process(shop, tmp_path):
    before = _points_in_quarter(shop)
    with db.opened(shop) as con:
        rows_before = int(loaded_datasets(con, as_of=AS_OF).set_index("dataset").loc["monitoring", "rows"])
    early = show(frame(), "pages/monitoring.py")  # a session opened before the import
    assert f"{before:,} points in the quarter" in " ".join(c.value for c in early.caption)

    stop, errors, calls = threading.Event(), [], []
    readers = [threading.Thread(target=_reader, args=(shop, stop, errors, calls)) for _ in range(READERS)]
    for thread in readers:
        thread.start()
    writer = subprocess.Popen(
        [*aims_command(), "load", str(_points_file(tmp_path / "crowd.csv")), "--db", str(shop)]
        + ["--dataset", "monitoring", "--as-of", str(AS_OF), "--wait", "60"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "AIMS_DB"},
    )
    sessions = []
    while writer.poll() is None:  # app sessions come and go while the import runs
        sessions.append(show(frame(), "pages/monitoring.py"))
    out, err = writer.communicate()
    during = len(calls)
    time.sleep(0.5)
    stop.set()
    for thread in readers:
        thread.join(timeout=60)

    assert errors == []
    assert writer.returncode == 0, (out, err)
    assert during > READERS and len(calls) > during  # the readers read before, during and after
    after = _points_in_quarter(shop)
    assert after == before + NEW_POINTS
    shown = f"{after:,} points in the quarter"
    for at in [early, *sessions[-2:], frame()]:  # old sessions rerun, and a new one
        page = show(at, "pages/monitoring.py")
        assert shown in " ".join(c.value for c in page.caption)
        log = _table(show(at, "pages/data.py"), "file_name")
        assert "crowd.csv" in set(log["file_name"])
        loaded = _table(show(at, "app.py"), "latest_as_of").set_index("dataset")  # the Overview
        assert loaded.loc["monitoring", "rows"] == rows_before + NEW_POINTS


def _table(at, column: str):
    """The page's table with `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)
