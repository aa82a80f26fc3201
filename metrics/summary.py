"""The headline figures of a quarter as one JSON-ready dict: `aims summary --json`, the pack's named cells.

A stable interface for automation (documented in METRICS.md, "Summary"): keys are only ever added.
"""

from __future__ import annotations

from typing import Any

import duckdb

from .coverage import annex_a_summary, clause_summary
from .findings import findings_summary
from .incidents import incident_summary
from .monitoring import monitoring_summary
from .periods import parse_quarter
from .review import review_summary
from .risks import risk_summary

__all__ = ["headline_keys", "quarter_summary"]


def quarter_summary(
    con: duckdb.DuckDBPyConnection,
    *,
    quarter: str,
    scope: str = "organisation",
    system: str | None = None,
    unit: str | None = None,
    with_review: bool = True,
) -> dict[str, Any]:
    """One dict per quarter: the headline figures of every area and the 9.3.2 review summary."""
    q = parse_quarter(quarter)
    annex = annex_a_summary(con, as_of=q.end, scope=scope)
    clauses = clause_summary(con, as_of=q.end, scope=scope)
    risks = risk_summary(con, as_of=q.end, system=system, unit=unit)
    incidents = incident_summary(con, quarter=str(q), system=system, unit=unit)
    monitoring = monitoring_summary(con, quarter=str(q), system=system, unit=unit)
    findings = findings_summary(con, as_of=q.end, system=system, unit=unit)
    out: dict[str, Any] = {
        "quarter": str(q),
        "as_of": q.end.isoformat(),
        "filters": {"scope": scope, "system": system, "unit": unit},
        "annex_a": {
            "implementation_rate": annex.implementation_rate,
            "weighted_score": annex.weighted_score,
            "counts": dict(annex.counts),
            "applicable": annex.applicable,
            "controls": annex.controls,
            "assessed": annex.assessed,
            "without_justification": annex.without_justification,
            "stale_evidence": annex.stale_evidence,
            "implementation_rate_fresh": annex.implementation_rate_fresh,
        },
        "clauses": {
            "implementation_rate": clauses.implementation_rate,
            "weighted_score": clauses.weighted_score,
            "counts": dict(clauses.counts),
            "applicable": clauses.applicable,
        },
        "risks": {
            "total": risks.total,
            "inherent_cells": dict(risks.inherent_cells),
            "residual_cells": dict(risks.residual_cells),
            "by_band_inherent": dict(risks.by_band_inherent),
            "by_band_residual": dict(risks.by_band_residual),
            "unrated_residual": risks.unrated_residual,
            "above_appetite": risks.above_appetite,
            "above_appetite_untreated": risks.above_appetite_untreated,
            "without_linked_control": risks.without_linked_control,
        },
        "incidents": {
            "total": incidents.total,
            "by_severity": dict(incidents.by_severity),
            "open": incidents.open,
            "mean_days_to_resolve": incidents.mean_days_to_resolve,
            "median_days_to_resolve": incidents.median_days_to_resolve,
            "serious": incidents.serious,
            "serious_missed": incidents.serious_missed,
        },
        "monitoring": {
            "breach_points": monitoring.breach_points,
            "breach_episodes": monitoring.breach_episodes,
            "series_breaching_at_latest": monitoring.series_breaching_at_latest,
            "series": monitoring.series,
        },
        "findings": {
            "open": findings.open,
            "open_nonconformities": findings.open_nonconformities,
            "overdue": findings.overdue,
            "closed_late": findings.closed_late,
            "repeat_nonconformities": findings.repeat_nonconformities,
            "effectiveness_pending": findings.effectiveness_pending,
        },
    }
    if with_review:
        out["review"] = review_summary(con, quarter=str(q), scope=scope, system=system, unit=unit).model_dump(
            mode="json"
        )
    return out


def headline_keys(summary: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten the scalar headline figures to dotted keys (`annex_a.counts.implemented` -> 12).

    The review and the cell maps stay out: they are not single figures.
    """
    flat: dict[str, Any] = {}
    for key, value in summary.items():
        dotted = f"{prefix}{key}"
        if key in ("review", "filters", "inherent_cells", "residual_cells"):
            continue
        if isinstance(value, dict):
            flat.update(headline_keys(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat
