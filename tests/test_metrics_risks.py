"""Risk metrics on tiny registers: the heatmap grid, bands at their boundaries, appetite, filters, movement.

Default settings: bands low 1-4, medium 5-9, high 10-16, critical 17-25; risk appetite 9 (a rated score
above 9 is above appetite). Ratings are written "<likelihood>x<impact>".
"""

from __future__ import annotations

import pandas as pd
import pytest
from metrics_support import Q2, Q3, Files, risk, setting_from

from metrics.risk_changes import MOVEMENTS, quarter_movement
from metrics.risks import heatmap, risk_movement, risk_register, risk_summary, top_risks

Q1 = Q2.replace(month=3, day=31)


@pytest.fixture
def files(store, tmp_path) -> Files:
    return Files(store, tmp_path)


@pytest.fixture
def systems(files) -> Files:
    """An inventory of two systems in two business units."""
    files.systems([("AIS-1", "Credit Scoring", "Retail"), ("AIS-2", "Support Bot", "Service")])
    return files


# ---- heatmap ------------------------------------------------------------------------------------


def test_heatmap_is_always_the_full_grid(store):
    grid = heatmap(store, as_of=Q3)
    assert list(grid.columns) == ["likelihood", "impact", "score", "band", "count", "risk_ids"]
    assert len(grid) == 25 and grid["count"].sum() == 0
    assert grid[["likelihood", "impact"]].values.tolist() == [
        [lo, im] for lo in range(1, 6) for im in range(1, 6)
    ]
    assert (grid["score"] == grid["likelihood"] * grid["impact"]).all()
    assert grid["risk_ids"].tolist() == [[]] * 25


BANDS_AT_BOUNDARIES = [
    # likelihood, impact, score, band: the default bands change at 4/5, 9/10 and 16/17
    (2, 2, 4, "low"),
    (1, 5, 5, "medium"),
    (3, 3, 9, "medium"),
    (2, 5, 10, "high"),
    (4, 4, 16, "high"),
    (4, 5, 20, "critical"),  # 17-19 are no product of 1-5: 20 is the lowest critical cell
]


@pytest.mark.parametrize(("likelihood", "impact", "score", "band"), BANDS_AT_BOUNDARIES)
def test_heatmap_bands_at_their_boundaries(store, likelihood, impact, score, band):
    cell = heatmap(store, as_of=Q3).set_index(["likelihood", "impact"]).loc[(likelihood, impact)]
    assert (cell["score"], cell["band"]) == (score, band)


def test_heatmap_bands_follow_the_settings_of_the_day(store):
    bands = {"low": [1, 5], "medium": [6, 12], "high": [13, 15], "critical": [16, 25]}
    setting_from(store, "risk_bands", bands, Q3)
    before = heatmap(store, as_of=Q2).set_index(["likelihood", "impact"])
    after = heatmap(store, as_of=Q3).set_index(["likelihood", "impact"])
    assert (before.loc[(4, 4), "band"], after.loc[(4, 4), "band"]) == ("high", "critical")
    assert (before.loc[(1, 5), "band"], after.loc[(1, 5), "band"]) == ("medium", "low")


def test_heatmap_inherent_and_residual(store, files):
    files.risks(
        [
            risk("R-1", "3x4", "2x2"),
            risk("R-2", "3x4", "2x3"),
            risk("R-3", "5x5", "2x2"),
            risk("R-4", "1x1"),  # no residual rating
        ]
    )
    inherent = heatmap(store, as_of=Q3, rating="inherent").set_index(["likelihood", "impact"])
    assert inherent.loc[(3, 4), ["count", "risk_ids"]].tolist() == [2, ["R-1", "R-2"]]
    assert inherent.loc[(5, 5), "risk_ids"] == ["R-3"] and inherent.loc[(1, 1), "count"] == 1
    residual = heatmap(store, as_of=Q3, rating="residual").set_index(["likelihood", "impact"])
    assert residual.loc[(2, 2), ["count", "risk_ids"]].tolist() == [2, ["R-1", "R-3"]]
    assert residual.loc[(1, 1), "count"] == 0
    # identities: the grid holds every risk once; the residual grid all but the unrated
    summary = risk_summary(store, as_of=Q3)
    assert inherent["count"].sum() == summary.total == 4
    assert residual["count"].sum() + summary.unrated_residual == summary.total
    with pytest.raises(ValueError, match="rating"):
        heatmap(store, as_of=Q3, rating="target")


# ---- filters by AI system and business unit ---------------------------------------------------------

FILTERS = [
    # system, unit, risks kept
    (None, None, ["R-1", "R-2", "R-3", "R-4", "R-5"]),
    ("Credit Scoring", None, ["R-1", "R-2"]),
    ("credit  scoring", None, ["R-1", "R-2"]),
    ("AIS-2", None, ["R-3"]),
    (None, "retail", ["R-1", "R-2"]),
    (None, "Service", ["R-3"]),
    ("Support Bot", "Retail", []),
    ("Ghost model", None, []),  # an unregistered system is only in the unfiltered view
]


@pytest.mark.parametrize(("system", "unit", "kept"), FILTERS)
def test_filters_by_system_and_unit(store, systems, system, unit, kept):
    systems.risks(
        [
            risk("R-1", "3x3", system="credit scoring"),
            risk("R-2", "2x2", system="CreditScoring"),
            risk("R-3", "4x4", system="Support  Bot"),
            risk("R-4", "1x1"),
            risk("R-5", "5x5", system="Ghost model"),
        ]
    )
    assert risk_register(store, as_of=Q3, system=system, unit=unit)["risk_id"].tolist() == kept
    assert heatmap(store, as_of=Q3, system=system, unit=unit)["count"].sum() == len(kept)
    assert risk_summary(store, as_of=Q3, system=system, unit=unit).total == len(kept)
    assert len(risk_movement(store, as_of=Q3, system=system, unit=unit)) == len(kept)
    assert sorted(top_risks(store, as_of=Q3, system=system, unit=unit)["risk_id"]) == kept


# ---- risk_summary -------------------------------------------------------------------------------


def test_risk_summary(store, files):
    files.risks(
        [
            risk("R-a", "4x4", "2x5"),  # residual 10: above appetite, treated
            risk("R-b", "4x4", "3x3"),  # residual 9: at appetite, not above
            risk("R-c", "3x4", treatment=""),  # no residual: inherent 12 above, no treatment
            risk("R-d", "4x4", "3x4", treatment="Accept"),  # residual 12 above, accepted
            risk("R-e", "5x5", "2x2", linked=""),  # residual 4
        ]
    )
    summary = risk_summary(store, as_of=Q3)
    assert summary.model_dump(exclude={"as_of"}) == {
        "system": None,
        "unit": None,
        "appetite": 9,
        "total": 5,
        "inherent_cells": {"3x4": 1, "4x4": 3, "5x5": 1},
        "residual_cells": {"2x2": 1, "2x5": 1, "3x3": 1, "3x4": 1},
        "by_band_inherent": {"low": 0, "medium": 0, "high": 4, "critical": 1},
        "by_band_residual": {"low": 1, "medium": 1, "high": 2, "critical": 0},
        "unrated_residual": 1,
        "above_appetite": 3,
        "above_appetite_untreated": 1,
        "without_linked_control": 1,
        "sources": ["risks_1.csv"],
    }
    assert sum(summary.inherent_cells.values()) == sum(summary.by_band_inherent.values()) == summary.total
    assert sum(summary.by_band_residual.values()) + summary.unrated_residual == summary.total


def test_risk_summary_of_an_empty_register(store):
    summary = risk_summary(store, as_of=Q3)
    assert (summary.total, summary.unrated_residual, summary.above_appetite, summary.sources) == (0, 0, 0, [])
    assert (summary.inherent_cells, summary.residual_cells) == ({}, {})
    assert (
        summary.by_band_inherent
        == summary.by_band_residual
        == {"low": 0, "medium": 0, "high": 0, "critical": 0}
    )


def test_appetite_follows_the_settings_of_the_day(store, files):
    files.risks([risk("R-1", "4x4", "3x3")], as_of=Q2)
    setting_from(store, "risk_appetite", 8, Q3)
    assert risk_summary(store, as_of=Q2).above_appetite == 0
    assert (risk_summary(store, as_of=Q3).appetite, risk_summary(store, as_of=Q3).above_appetite) == (8, 1)


# ---- risk_register and top_risks -------------------------------------------------------------------


def test_risk_register_rows(store, files):
    ref = files.risks(
        [
            risk("R-2", "2x5", "2x2", next_review="2026-09-29", linked="A.6.2.6; A.7.4"),
            risk("R-1", "4x4", next_review="2026-09-30", treatment=""),
            risk("R-3", "1x1", "1x1", next_review="", linked=""),
        ]
    )
    register = risk_register(store, as_of=Q3)
    assert register["risk_id"].tolist() == ["R-1", "R-2", "R-3"]
    got = register.set_index("risk_id")
    assert got.loc["R-2", ["score", "band", "residual_score", "residual_band", "rated_score"]].tolist() == [
        10,
        "high",
        4,
        "low",
        4,
    ]
    assert got.loc["R-1", ["score", "band", "rated_score", "above_appetite"]].tolist() == [
        16,
        "high",
        16,
        True,
    ]
    assert pd.isna(got.loc["R-1", "residual_score"]) and pd.isna(got.loc["R-1", "residual_band"])
    assert pd.isna(got.loc["R-1", "treatment"])
    assert got["overdue_review"].tolist() == [False, True, False]  # due on the as-of date is not overdue
    assert got["linked_controls"].tolist() == [["A.6.2.6"], ["A.6.2.6", "A.7.4"], []]
    assert got.loc["R-2", ["file_name", "row_no", "import_id", "scope"]].tolist() == [
        "risks_1.csv",
        2,
        ref.import_id,
        "organisation",
    ]
    assert not got["registered"].any()


def test_top_risks_by_rated_score(store, files):
    files.risks(
        [
            risk("R-1", "5x5", "2x2"),  # rated 4
            risk("R-2", "3x3"),  # rated 9 (inherent)
            risk("R-3", "4x4", "3x3"),  # rated 9, higher inherent than R-2
            risk("R-4", "2x5", "2x5"),  # rated 10
            risk("R-5", "3x3", "3x3"),  # rated 9, same inherent as R-2: by id
        ]
    )
    assert top_risks(store, as_of=Q3)["risk_id"].tolist() == ["R-4", "R-3", "R-2", "R-5", "R-1"]
    assert top_risks(store, as_of=Q3, n=2)["risk_id"].tolist() == ["R-4", "R-3"]
    assert top_risks(store, as_of=Q3, n=0).empty
    assert top_risks(store, as_of=Q2).empty


# ---- the register in force ------------------------------------------------------------------------


def test_the_register_in_force_and_registers_of_other_scopes(store, files):
    files.risks([risk("R-1", "3x3"), risk("R-2", "2x2")], as_of=Q1)
    files.risks([risk("R-1", "3x3")], as_of=Q2)  # R-2 removed from the register
    files.risks([risk("R-1", "5x5"), risk("R-9", "1x1")], as_of=Q3, scope="Chatbot")
    assert risk_register(store, as_of=Q1)["risk_id"].tolist() == ["R-1", "R-2"]
    assert risk_register(store, as_of=Q2)["risk_id"].tolist() == ["R-1"]
    latest = risk_register(store, as_of=Q3).set_index("risk_id")
    assert latest.index.tolist() == ["R-1", "R-9"]
    assert latest.loc["R-1", ["score", "scope"]].tolist() == [25, "Chatbot"]  # the newest register speaks
    assert risk_register(store, as_of=Q1.replace(day=30)).empty


# ---- risk_movement ----------------------------------------------------------------------------------


def test_risk_movement_from_inherent_to_residual(store, files):
    files.risks(
        [
            risk("R-1", "4x4", "2x2"),
            risk("R-2", "2x5", "3x4"),  # residual above inherent
            risk("R-3", "3x3"),  # not rated after treatment
            risk("R-4", "3x3", "3x2"),
        ]
    )
    moved = risk_movement(store, as_of=Q3)
    assert list(moved.columns) == [
        "risk_id",
        "title",
        "inherent_cell",
        "residual_cell",
        "score",
        "band",
        "residual_score",
        "residual_band",
        "score_drop",
        "band_change",
    ]
    assert moved["risk_id"].tolist() == ["R-1", "R-4", "R-2", "R-3"]
    got = moved.set_index("risk_id")
    assert got.loc["R-1", ["inherent_cell", "residual_cell", "score_drop", "band_change"]].tolist() == [
        "4x4",
        "2x2",
        12,
        "lower",
    ]
    assert got.loc["R-2", ["score_drop", "band_change"]].tolist() == [-2, "same"]
    assert got.loc["R-4", ["score_drop", "band_change"]].tolist() == [3, "same"]  # 9 and 6 are both medium
    assert got.loc["R-3", ["residual_cell", "score_drop", "band_change"]].isna().all()


# ---- quarter_movement -------------------------------------------------------------------------------


def test_quarter_movement(store, files):
    files.risks(
        [
            risk("R-1", "3x3", "2x2"),
            risk("R-2", "4x4", "3x3"),
            risk("R-3", "2x2"),
            risk("R-4", "3x3", "2x3"),
            risk("R-5", "2x3", "2x3"),
            risk("R-7", "3x4", "2x2"),
        ],
        as_of=Q2,
    )
    files.risks(
        [
            risk("R-1", "3x3", "3x2"),  # rated 4 -> 6
            risk("R-2", "4x4", "2x3"),  # rated 9 -> 6
            risk("R-4", "3x3", "3x2"),  # rated 6 -> 6, residual cell moved
            risk("R-5", "2x3", "2x3"),
            risk("R-6", "1x1"),
            risk("R-7", "4x3", "2x2"),  # inherent cell moved, rated the same
        ],
        as_of=Q3,
    )
    frame = quarter_movement(store, quarter="2026-Q3")
    assert set(frame["movement"]) <= set(MOVEMENTS)
    assert dict(zip(frame["risk_id"], frame["movement"], strict=True)) == {
        "R-1": "up",
        "R-2": "down",
        "R-3": "removed",
        "R-4": "moved",
        "R-5": "unchanged",
        "R-6": "new",
        "R-7": "moved",
    }
    got = frame.set_index("risk_id")
    assert got.loc["R-1", ["previous_cell", "previous_residual_cell", "cell", "residual_cell"]].tolist() == [
        "3x3",
        "2x2",
        "3x3",
        "3x2",
    ]
    assert got.loc["R-3", ["previous_rated_score", "cell"]].isna().tolist() == [False, True]
    assert got.loc["R-3", "previous_rated_score"] == 4


def test_quarter_movement_without_a_previous_register(store, files):
    files.risks([risk("R-1", "3x3")], as_of=Q3)
    frame = quarter_movement(store, quarter="2026-Q3")
    assert frame[["risk_id", "movement"]].values.tolist() == [["R-1", "no_comparison"]]
    assert quarter_movement(store, quarter="2026-Q1").empty


def test_quarter_movement_compares_the_registers_in_force_and_filters(store, systems):
    systems.risks([risk("R-1", "3x3", system="Support Bot"), risk("R-2", "2x2")], as_of=Q1)
    systems.risks([risk("R-1", "4x4", system="Support Bot"), risk("R-2", "1x1")], as_of=Q3)
    # no file in 2026-Q2: the Q1 register is the one in force at the end of the previous quarter
    assert quarter_movement(store, quarter="2026-Q3")["movement"].tolist() == ["up", "down"]
    scoped = quarter_movement(store, quarter="2026-Q3", system="support bot")
    assert scoped[["risk_id", "movement"]].values.tolist() == [["R-1", "up"]]
    # a register exists in the previous quarter, just no risk of this unit: new, not no comparison
    assert quarter_movement(store, quarter="2026-Q3", unit="Retail").empty
