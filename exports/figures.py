"""The headline figures of a quarter and of the quarter before, keyed like `aims summary --json`.

The values are `metrics.summary.quarter_summary` itself (flattened by `headline_keys`), so the pack's
named cells and `aims summary --json` cannot disagree. A figure of the previous quarter is
`NO_COMPARISON` when that quarter has no data for its dataset (`metrics.review.data_coverage`): its
change then reads "no comparison", never 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb

from metrics.coverage import STATUSES
from metrics.incidents import SEVERITIES
from metrics.periods import Quarter
from metrics.review import data_coverage
from metrics.settings import Settings, settings_at
from metrics.summary import headline_keys, quarter_summary

__all__ = ["HEADLINE", "NO_COMPARISON", "Figure", "Headline", "headline", "quarter_figures"]

NO_COMPARISON = "no comparison"


@dataclass(frozen=True)
class Headline:
    """One headline row: its summary key (also the defined name of its cell), where it belongs, how it reads."""

    key: str
    area: str
    label: str
    kind: str  # pct | int | days | text | date
    rule: str
    target: str | None = None  # the Settings field holding its target (reached at or above it)
    named: bool = True  # its cell gets a defined name (the keys the pack promises; context rows do not)


_COUNT_LABELS = {
    "implemented": "Implemented",
    "partially_implemented": "Partially implemented",
    "planned": "Planned",
    "not_implemented": "Not implemented",
    "not_assessed": "Not assessed",
    "not_applicable": "Not applicable",
}

HEADLINE: tuple[Headline, ...] = (
    Headline("quarter", "Report", "Quarter", "text", "Calendar quarter of the report."),
    Headline(
        "as_of",
        "Report",
        "As of",
        "date",
        "Every figure is judged as of the quarter's last day, never today.",
    ),
    Headline(
        "annex_a.implementation_rate",
        "Annex A",
        "Implementation rate",
        "pct",
        "Implemented ÷ applicable controls; not-applicable controls leave the denominator, a control "
        "missing from the SoA counts as applicable and not assessed.",
        "implementation_rate_target",
    ),
    Headline(
        "annex_a.weighted_score",
        "Annex A",
        "Weighted score",
        "pct",
        "(Implemented + 0.5 × partially implemented) ÷ applicable controls.",
        "weighted_score_target",
    ),
    Headline("annex_a.applicable", "Annex A", "Applicable controls", "int", "Of the 38 Annex A controls."),
    *(
        Headline(
            f"annex_a.counts.{status}",
            "Annex A",
            f"Controls: {_COUNT_LABELS[status].lower()}",
            "int",
            "Applicable controls with this status."
            if status != "not_applicable"
            else "Controls excluded in the SoA, with a justification.",
        )
        for status in (*STATUSES, "not_applicable")
    ),
    Headline(
        "clauses.implementation_rate",
        "Clauses 4-10",
        "Implementation rate",
        "pct",
        "Implemented ÷ applicable leaf subclauses of clauses 4-10 (all mandatory).",
        "clause_rate_target",
    ),
    Headline(
        "risks.total",
        "Risks",
        "Risks in the register",
        "int",
        "Risks in the register in force on the as-of date.",
    ),
    Headline("incidents.total", "Incidents", "Incidents detected", "int", "Detected in the quarter."),
    *(
        Headline(
            f"incidents.by_severity.{s}",
            "Incidents",
            f"Detected: {s}",
            "int",
            f"Detected in the quarter, {s}.",
        )
        for s in SEVERITIES
    ),
    Headline(
        "incidents.open",
        "Incidents",
        "Open at quarter end",
        "int",
        "Detected on or before the as-of date and not resolved or closed by then.",
    ),
    Headline(
        "incidents.mean_days_to_resolve",
        "Incidents",
        "Mean days to resolve",
        "days",
        "Resolved date − detected date, over incidents resolved in the quarter.",
    ),
    Headline(
        "monitoring.breach_points",
        "Monitoring",
        "Breaching points",
        "int",
        "Points in the quarter below their lower or above their upper threshold.",
    ),
    Headline(
        "monitoring.breach_episodes",
        "Monitoring",
        "Breach episodes",
        "int",
        "Runs of consecutive breaching points of one series with a point in the quarter.",
    ),
    Headline(
        "monitoring.series_breaching_at_latest",
        "Monitoring",
        "Series breaching at quarter end",
        "int",
        "Current model-version series whose latest point on or before the as-of date breaches.",
    ),
    Headline(
        "findings.open",
        "Findings",
        "Open findings and actions",
        "int",
        "Raised by the as-of date, not closed by it.",
    ),
    Headline(
        "findings.open_nonconformities",
        "Findings",
        "Open nonconformities",
        "int",
        "Open major and minor nonconformities.",
    ),
    Headline(
        "findings.overdue",
        "Findings",
        "Overdue findings and actions",
        "int",
        "Not closed and due before the as-of date.",
    ),
)


@dataclass(frozen=True)
class Figure:
    """A headline row filled in: this quarter's value, the previous quarter's (or NO_COMPARISON), the target."""

    headline: Headline
    value: Any
    previous: Any
    target: float | None

    @property
    def change(self) -> Any:
        """This quarter minus the previous one; NO_COMPARISON without a previous value; None if no value."""
        if self.headline.kind not in ("pct", "int", "days"):
            return None
        if self.previous == NO_COMPARISON:
            return NO_COMPARISON
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def status(self) -> str:
        """on_target / below_target against the setting, no_data without a value, else no_target (risks
        above appetite: within_appetite / above_appetite)."""
        if self.headline.key == "risks.above_appetite" and self.value is not None:
            return "within_appetite" if self.value == 0 else "above_appetite"
        if self.target is None:
            return "no_target"
        if self.value is None:
            return "no_data"
        return "on_target" if self.value >= self.target else "below_target"


_DATASET = {
    "Annex A": "controls",
    "Clauses 4-10": "controls",
    "Risks": "risks",
    "Incidents": "incidents",
    "Monitoring": "monitoring",
    "Findings": "findings",
}


def quarter_figures(
    con: duckdb.DuckDBPyConnection,
    *,
    quarter: Quarter,
    scope: str = "organisation",
    system: str | None = None,
    unit: str | None = None,
) -> dict[str, Any]:
    """The flat headline values of one quarter, exactly as `aims summary --json` reports them."""
    summary = quarter_summary(
        con, quarter=str(quarter), scope=scope, system=system, unit=unit, with_review=False
    )
    values = headline_keys(summary)
    values["as_of"] = dt.date.fromisoformat(str(values["as_of"]))
    return values


def headline(
    con: duckdb.DuckDBPyConnection,
    *,
    quarter: Quarter,
    scope: str = "organisation",
    system: str | None = None,
    unit: str | None = None,
    settings: Settings | None = None,
) -> list[Figure]:
    """Every headline figure of `quarter` beside the previous quarter's, in `HEADLINE` order."""
    settings = settings or settings_at(con, as_of=quarter.end)
    now = quarter_figures(con, quarter=quarter, scope=scope, system=system, unit=unit)
    before = quarter_figures(con, quarter=quarter.previous(), scope=scope, system=system, unit=unit)
    has_data = data_coverage(con, as_of=quarter.previous().end)
    return [
        Figure(
            headline=h,
            value=now[h.key],
            previous=before[h.key] if h.area not in _DATASET or has_data[_DATASET[h.area]] else NO_COMPARISON,
            target=getattr(settings, h.target) if h.target else None,
        )
        for h in HEADLINE
    ]
