"""Objective status on the tiny objectives and monitoring series of `metrics_support_records`.

Monitoring values used: Credit scoring accuracy v1 0.90 (1 July), 0.70 (2 July), v2 0.88 (3 July), 0.86
(4 July); ks_pvalue 0.30 ... 0.05 (6 July), 0.02 (7 July); Support bot accuracy 0.75 (30 June), 0.70
(1 July), 0.90 (2 July); latency_ms 900 (1 July).
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from metrics_support_records import AS_OF, D, loaded_store, records

from metrics.objectives import objectives_status


@pytest.fixture(scope="module")
def con(tmp_path_factory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = loaded_store(tmp_path_factory.mktemp("objectives"), "monitoring", "objectives")
    yield con
    con.close()


COLUMNS = ["objective_id", "value", "value_source", "on_track", "overdue"]

CASES = [
    pytest.param(
        D(2026, 7, 7),
        None,
        None,
        [
            ("O-1", 0.86, "monitoring", True, False),  # the new model version's latest point
            ("O-2", 0.02, "monitoring", False, True),  # due 5 July, not on track
            ("O-3", 0.86, "monitoring", True, False),  # organisation-wide: the latest point of any system
            ("O-4", 88.0, "file", False, True),
            ("O-5", 10.0, "file", True, False),  # equal to an at-most target
            ("O-6", 900.0, "monitoring", True, None),  # no due date
            ("O-7", 3.0, "file", True, False),  # the metric has no points: the file's value
            ("O-8", 5.0, "file", None, True),  # no target: never on track
        ],
        id="as-of",
    ),
    pytest.param(
        D(2026, 7, 1),
        None,
        None,
        [
            ("O-1", 0.90, "monitoring", True, False),
            ("O-2", 0.30, "monitoring", True, False),
            ("O-3", 0.70, "monitoring", False, True),  # two systems at the latest time: the worst counts
            ("O-4", 88.0, "file", False, True),
            ("O-5", 10.0, "file", True, False),
            ("O-6", 900.0, "monitoring", True, None),
            ("O-7", 3.0, "file", True, False),
            ("O-8", 5.0, "file", None, True),
        ],
        id="worst-of-series-at-the-latest-time",
    ),
    pytest.param(
        D(2026, 6, 30),
        None,
        None,
        [
            ("O-1", None, None, None, False),  # no point yet and no value in the file
            ("O-2", None, None, None, False),
            ("O-3", 0.75, "monitoring", False, False),  # due on the as-of date: not yet overdue
            ("O-4", 88.0, "file", False, False),
            ("O-5", 10.0, "file", True, False),
            ("O-6", None, None, None, None),
            ("O-7", 3.0, "file", True, False),
            ("O-8", 5.0, "file", None, True),
        ],
        id="before-the-points",
    ),
    pytest.param(
        D(2026, 7, 6),
        "Credit scoring",
        None,
        [
            ("O-1", 0.86, "monitoring", True, False),
            (
                "O-2",
                0.05,
                "monitoring",
                True,
                False,
            ),  # at the target after its due date: on track, not overdue
            ("O-3", 0.86, "monitoring", True, False),
            ("O-4", 88.0, "file", False, True),
            ("O-7", 3.0, "file", True, False),
            ("O-8", 5.0, "file", None, True),
        ],
        id="system-keeps-organisation-wide-objectives",
    ),
    pytest.param(
        D(2026, 7, 7),
        None,
        "Service",
        [
            ("O-3", 0.90, "monitoring", True, False),  # organisation-wide, measured on the unit's systems
            ("O-4", 88.0, "file", False, True),
            ("O-5", 10.0, "file", True, False),
            ("O-6", 900.0, "monitoring", True, None),
            ("O-8", 5.0, "file", None, True),
        ],
        id="business-unit",
    ),
]


@pytest.mark.parametrize(("as_of", "system", "unit", "expected"), CASES)
def test_objectives_status(con, as_of, system, unit, expected):
    frame = objectives_status(con, as_of=as_of, system=system, unit=unit)
    assert records(frame, COLUMNS) == expected


def test_objectives_status_dates_targets_and_source(con):
    frame = objectives_status(con, as_of=D(2026, 7, 1))
    assert records(
        frame.head(4), ["objective_id", "value_as_of", "series_at_latest", "target", "direction"]
    ) == [
        ("O-1", D(2026, 7, 1), 1, 0.85, "at_least"),
        ("O-2", D(2026, 7, 1), 1, 0.05, "at_least"),
        ("O-3", D(2026, 7, 1), 2, 0.8, "at_least"),
        ("O-4", AS_OF, None, 95.0, "at_least"),
    ]
    assert records(frame.head(1), ["file_name", "sheet", "row_no"]) == [("objectives.csv", None, 2)]


def test_objectives_status_on_an_empty_store(store):
    assert objectives_status(store, as_of=AS_OF).empty
