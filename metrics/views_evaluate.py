"""Views for the Evaluate pages (Clause coverage, Risks): headline figures with their previous-quarter
comparison, and the rows a page lists once the user has narrowed them (a gap, a heatmap cell, a change).

Built only from the coverage and risk metrics, so a page shows the same numbers as the pack; the page never
subtracts, filters or joins. "No comparison" follows the management review's rule: when the previous
quarter has nothing in force, the delta is empty, never 0. Definitions: METRICS.md, "Views".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Literal

import duckdb
import pandas as pd

from store.db import query, scalar

from .coverage import annex_a_summary, clause_summary
from .coverage_changes import CHANGES, coverage_changes
from .periods import parse_quarter
from .requirements import requirement_rows
from .review import Figure, compare
from .risks import RATINGS, risk_register, risk_summary
from .settings import settings_at

__all__ = [
    "GAPS",
    "RISK_GAPS",
    "cell_risks",
    "control_changes",
    "coverage_headline",
    "requirement_view",
    "risk_gaps",
    "risk_headline",
]

# Gaps of a requirement, in the order the page offers them.
GAPS = ("not_implemented", "stale_evidence", "no_owner", "no_justification")
RISK_GAPS = ("untreated_above_appetite", "without_linked_control")
_NOT_IMPLEMENTED = ("planned", "not_implemented", "not_assessed")
_CELL = re.compile(r"^([1-5])x([1-5])$")


# key, label, summary (clauses | annex_a), field, unit, target setting, better
_COVERAGE_FIGURES = (
    ("clauses.implementation_rate", "Clause implementation rate", "clauses", "implementation_rate", "rate",
     "clause_rate_target", "higher"),
    ("clauses.weighted_score", "Clause weighted score", "clauses", "weighted_score", "rate", None, "higher"),
    ("annex_a.implementation_rate", "Annex A implementation rate", "annex_a", "implementation_rate", "rate",
     "implementation_rate_target", "higher"),
    ("annex_a.weighted_score", "Annex A weighted score", "annex_a", "weighted_score", "rate",
     "weighted_score_target", "higher"),
    ("annex_a.stale_evidence", "Controls with stale evidence", "annex_a", "stale_evidence", "count", None, "lower"),
    ("annex_a.without_justification", "Controls without justification", "annex_a", "without_justification",
     "count", None, "lower"),
)  # fmt: skip


def coverage_headline(
    con: duckdb.DuckDBPyConnection, *, quarter: str, scope: str = "organisation"
) -> list[Figure]:
    """The Clause coverage page's headline: clause and Annex A rates, stale evidence and missing
    justifications at the quarter's end, each with the previous quarter's value and the delta.

    The previous quarter is comparable when a controls snapshot was in force on its last day for the scope
    (or the organisation); a rate that is none on either side has no delta.
    """
    q = parse_quarter(quarter)
    now = {
        "clauses": clause_summary(con, as_of=q.end, scope=scope),
        "annex_a": annex_a_summary(con, as_of=q.end, scope=scope),
    }
    before = {
        "clauses": clause_summary(con, as_of=q.previous().end, scope=scope),
        "annex_a": annex_a_summary(con, as_of=q.previous().end, scope=scope),
    }
    settings = settings_at(con, as_of=q.end)
    had = before["clauses"].applicable > 0  # clauses cannot be excluded: > 0 iff a snapshot was in force
    return [
        compare(
            key,
            label,
            getattr(now[summary], field),
            getattr(before[summary], field),
            had,
            unit=unit,
            target=getattr(settings, target) if target else None,
            better=better,
        )
        for key, label, summary, field, unit, target, better in _COVERAGE_FIGURES
    ]


_REGISTER_IN_FORCE = """
select count(*) from imports
where dataset = 'risks' and outcome = 'loaded' and superseded_by is null
  and as_of <= $day and (valid_to is null or valid_to > $day)
"""

# key, label, field of RiskSummary, better
_RISK_FIGURES = (
    ("risks.total", "Risks in the register", "total", None),
    ("risks.above_appetite", "Above appetite", "above_appetite", "lower"),
    ("risks.above_appetite_untreated", "Untreated above appetite", "above_appetite_untreated", "lower"),
    ("risks.without_linked_control", "No linked control", "without_linked_control", "lower"),
)


def risk_headline(
    con: duckdb.DuckDBPyConnection, *, quarter: str, system: str | None = None, unit: str | None = None
) -> list[Figure]:
    """The Risks page's headline: risks in the register, above appetite, above appetite without treatment
    and without a linked control at the quarter's end, each with the previous quarter's value and the delta.

    The previous quarter is comparable when a risk register was in force on its last day (whatever the
    filters keep: a filtered view with no risk of that system then compares with 0).
    """
    q = parse_quarter(quarter)
    now = risk_summary(con, as_of=q.end, system=system, unit=unit)
    before = risk_summary(con, as_of=q.previous().end, system=system, unit=unit)
    had = bool(scalar(con, _REGISTER_IN_FORCE, day=q.previous().end))
    return [
        compare(key, label, getattr(now, field), getattr(before, field), had, better=better)
        for key, label, field, better in _RISK_FIGURES
    ]


def requirement_view(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date,
    scope: str = "organisation",
    kind: Literal["control", "subclause"] = "control",
    group: str | None = None,
    gaps: Sequence[str] = (),
) -> pd.DataFrame:
    """One row per requirement in force (`requirement_rows`), with its gaps, narrowed to one clause or
    objective (`group`) and to the requirements with any of the `gaps` asked for.

    Gaps (`GAPS`): not_implemented (applicable and planned, not implemented or not assessed: what the
    rate counts as not implemented), stale_evidence (as `evidence_stale`), no_owner (applicable, no owner),
    no_justification (no justification, applicable or not: 6.1.3 asks for one either way). Adds one boolean
    column per gap and `gaps` (the list of a row's gaps).
    """
    unknown = [g for g in gaps if g not in GAPS]
    if unknown:
        raise ValueError(f"gaps must be among {', '.join(GAPS)}, not {', '.join(unknown)}")
    frame = requirement_rows(con, as_of=as_of, scope=scope, kind=kind)
    applicable = frame["applicable"].fillna(False).astype(bool)
    flags = {
        "not_implemented": applicable & frame["status"].isin(_NOT_IMPLEMENTED),
        "stale_evidence": frame["evidence_stale"].fillna(False).astype(bool),
        "no_owner": applicable & frame["owner"].isna(),
        "no_justification": frame["justification"].isna(),
    }
    for name, flag in flags.items():
        frame[name] = flag
    frame["gaps"] = [[g for g in GAPS if flags[g].iloc[i]] for i in range(len(frame))]
    keep = pd.Series(True, index=frame.index)
    if group is not None:
        keep &= frame["group_id"] == group
    if gaps:
        keep &= pd.concat([flags[g] for g in gaps], axis=1).any(axis=1)
    return frame[keep].reset_index(drop=True)


def control_changes(
    con: duckdb.DuckDBPyConnection,
    *,
    quarter: str,
    scope: str = "organisation",
    changes: Sequence[str] = (),
) -> pd.DataFrame:
    """One row per Annex A objective and control as `coverage_changes`, with its catalog title, narrowed to
    the `changes` asked for (all rows when none is given)."""
    unknown = [c for c in changes if c not in CHANGES]
    if unknown:
        raise ValueError(f"changes must be among {', '.join(CHANGES)}, not {', '.join(unknown)}")
    frame = coverage_changes(con, quarter=quarter, scope=scope)
    titles = query(con, "select id, title from catalog where kind in ('objective', 'control')")
    frame = frame.merge(titles, on="id", how="left")
    if changes:
        frame = frame[frame["change"].isin(list(changes))]
    columns = ["id", "kind", "objective_id", "title", "previous_status", "status", "previous_rate", "rate"]
    return frame[[*columns, "change"]].reset_index(drop=True)


def cell_risks(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date,
    cell: str,
    rating: Literal["inherent", "residual"] = "inherent",
    system: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """One row per risk (as `risk_register`) placed in one heatmap cell ("<likelihood>x<impact>", e.g.
    "4x5") by its inherent or residual rating: exactly the risks the `heatmap` counts there."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {', '.join(RATINGS)}, not {rating!r}")
    match = _CELL.match(cell.strip())
    if not match:
        raise ValueError(f"cell must be written <likelihood>x<impact> with values 1-5, not {cell!r}")
    likelihood, impact = int(match.group(1)), int(match.group(2))
    frame = risk_register(con, as_of=as_of, system=system, unit=unit)
    prefix = "" if rating == "inherent" else "residual_"
    keep = (frame[f"{prefix}likelihood"] == likelihood) & (frame[f"{prefix}impact"] == impact)
    return frame[keep.fillna(False)].reset_index(drop=True)


def risk_gaps(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date,
    gap: Literal["untreated_above_appetite", "without_linked_control"],
    system: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """One row per risk (as `risk_register`, highest rated score first) with the gap asked for:
    above appetite with no treatment recorded, or without a linked control. The rows behind
    `risk_summary.above_appetite_untreated` and `.without_linked_control`."""
    if gap not in RISK_GAPS:
        raise ValueError(f"gap must be one of {', '.join(RISK_GAPS)}, not {gap!r}")
    frame = risk_register(con, as_of=as_of, system=system, unit=unit)
    if gap == "untreated_above_appetite":
        keep = frame["above_appetite"].astype(bool) & frame["treatment"].isna()
    else:
        keep = frame["linked_controls"].map(len) == 0
    chosen = frame[keep].sort_values(["rated_score", "score", "risk_id"], ascending=[False, False, True])
    return chosen.reset_index(drop=True)
