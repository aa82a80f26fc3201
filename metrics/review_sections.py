"""The sections of the management review summary, in the order of 9.3.2 (a)-(e), each built only from
other metrics. Assembled by `metrics.review.review_summary`."""

from __future__ import annotations

from store.db import rows, table_exists

from .consistency import consistency_checks
from .coverage import annex_a_summary, clause_summary, coverage_by_group
from .coverage_changes import coverage_changes
from .findings import audit_summary, findings_summary, nonconformity_trend
from .incidents import incident_summary, recurring_categories
from .monitoring import health_matrix, monitoring_summary
from .objectives import objectives_status
from .requirements import requirement_rows
from .review_parts import ReviewSection, compare, count_figure, records
from .risk_changes import quarter_movement

__all__: list[str] = []  # used by metrics.review only


def _previous_actions(con, quarter, as_of) -> ReviewSection:
    items = []
    if table_exists(con, "review_records"):
        items = rows(
            con,
            """select quarter as review, text, owner, due_date, closed_date,
                      case when status = 'closed' and coalesce(closed_date, $as_of) <= $as_of then 'closed'
                           when due_date < $as_of then 'overdue' else status end as status_at_as_of
               from review_records where kind = 'action' and replaced_by is null and quarter < $q
               order by quarter, record_key""",
            q=str(quarter),
            as_of=as_of,
        )
    from_files = []
    if table_exists(con, "findings"):
        from_files = rows(
            con,
            """select 'file' as review, coalesce(title, finding_id) as text, owner, due_date, closed_date,
                      case when closed_date <= $as_of then 'closed' when due_date < $as_of then 'overdue'
                           else 'open' end as status_at_as_of
               from findings where replaced_by is null and source = 'management_review'
                 and raised_date < $start order by raised_date, finding_id""",
            start=quarter.start,
            as_of=as_of,
        )
    every = items + from_files
    count = {s: sum(1 for i in every if i["status_at_as_of"] == s) for s in ("closed", "overdue")}
    figures = [
        count_figure("review.actions", "Actions from previous reviews", len(every)),
        count_figure("review.actions_closed", "Closed", count["closed"]),
        count_figure(
            "review.actions_open",
            "Still open",
            len(every) - count["closed"],
            better="lower",
        ),
        count_figure("review.actions_overdue", "Overdue", count["overdue"], better="lower"),
    ]
    note = "" if every else "No actions were recorded at earlier reviews."
    return ReviewSection(
        code="a",
        title="Status of actions from previous management reviews",
        figures=figures,
        items=every,
        note=note,
    )


def _changes(con, quarter, as_of, scope, system, unit, prev_has) -> ReviewSection:
    movement = quarter_movement(con, quarter=str(quarter), system=system, unit=unit)
    changes = coverage_changes(con, quarter=str(quarter), scope=scope)
    new = movement[movement["movement"] == "new"] if not movement.empty else movement
    removed = movement[movement["movement"] == "removed"] if not movement.empty else movement
    scope_changes = (
        changes[(changes["change"] == "scope_change") & (changes["kind"] == "control")]
        if not changes.empty
        else changes
    )
    systems = (
        rows(con, "select name, lifecycle_status from systems where replaced_by is null order by name")
        if table_exists(con, "systems")
        else []
    )
    retired = [s["name"] for s in systems if s["lifecycle_status"] == "retired"]
    comparable = prev_has["risks"]
    figures = [
        count_figure(
            "changes.risks_new",
            "New risks",
            len(new) if comparable else None,
            comparison=comparable,
        ),
        count_figure(
            "changes.risks_removed",
            "Risks removed",
            len(removed) if comparable else None,
            comparison=comparable,
        ),
        count_figure(
            "changes.scope_changes",
            "Controls included or excluded",
            len(scope_changes) if prev_has["controls"] else None,
            comparison=prev_has["controls"],
        ),
        count_figure("changes.systems", "AI systems in the inventory", len(systems)),
        count_figure("changes.systems_retired", "AI systems retired", len(retired)),
    ]
    items = (
        [{"change": "new risk", "id": r.risk_id, "detail": r.get("title")} for _, r in new.iterrows()]
        + [
            {"change": "risk removed", "id": r.risk_id, "detail": r.get("title")}
            for _, r in removed.iterrows()
        ]
        + [
            {"change": "scope", "id": r.id, "detail": f"{r.previous_status} -> {r.status}"}
            for _, r in scope_changes.iterrows()
        ]
        + [{"change": "AI system retired", "id": name, "detail": ""} for name in retired]
    )
    note = "" if comparable else "The previous quarter has no risk register: no comparison."
    return ReviewSection(
        code="bc",
        title="Changes in external and internal issues and interested parties (AI systems, risks, scope)",
        figures=figures,
        items=items,
        note=note,
    )


def _performance(con, quarter, as_of, prev, scope, system, unit, prev_has, settings) -> list[ReviewSection]:
    now_f, prev_f = findings_summary(con, as_of=as_of), findings_summary(con, as_of=prev.end)
    ph = prev_has["findings"]
    d1 = ReviewSection(
        code="d1",
        title="Nonconformities and corrective actions",
        figures=[
            compare("findings.open", "Open findings", now_f.open, prev_f.open, ph, better="lower"),
            compare(
                "findings.open_nonconformities",
                "Open nonconformities",
                now_f.open_nonconformities,
                prev_f.open_nonconformities,
                ph,
                better="lower",
            ),
            compare("findings.overdue", "Overdue actions", now_f.overdue, prev_f.overdue, ph, better="lower"),
            compare(
                "findings.closed_late",
                "Closed late",
                now_f.closed_late,
                prev_f.closed_late,
                ph,
                better="lower",
            ),
            compare(
                "findings.repeat_nonconformities",
                "Repeat nonconformities",
                now_f.repeat_nonconformities,
                prev_f.repeat_nonconformities,
                ph,
                better="lower",
            ),
            compare(
                "findings.effectiveness_pending",
                "Effectiveness checks pending",
                now_f.effectiveness_pending,
                prev_f.effectiveness_pending,
                ph,
                better="lower",
            ),
        ],
        items=records(nonconformity_trend(con, as_of=as_of)),
    )
    annex, annex_p = (
        annex_a_summary(con, as_of=as_of, scope=scope),
        annex_a_summary(con, as_of=prev.end, scope=scope),
    )
    clauses, clauses_p = (
        clause_summary(con, as_of=as_of, scope=scope),
        clause_summary(con, as_of=prev.end, scope=scope),
    )
    mon, mon_p = (
        monitoring_summary(con, quarter=str(quarter), system=system, unit=unit),
        monitoring_summary(con, quarter=str(prev), system=system, unit=unit),
    )
    inc, inc_p = (
        incident_summary(con, quarter=str(quarter), system=system, unit=unit),
        incident_summary(con, quarter=str(prev), system=system, unit=unit),
    )
    objectives = objectives_status(con, as_of=as_of, system=system, unit=unit)
    objectives_p = objectives_status(con, as_of=prev.end, system=system, unit=unit)
    on_track = int(objectives["on_track"].fillna(False).astype(bool).sum()) if not objectives.empty else 0
    on_track_p = (
        int(objectives_p["on_track"].fillna(False).astype(bool).sum()) if not objectives_p.empty else 0
    )
    on_track_p = (
        int(objectives_p["on_track"].fillna(False).astype(bool).sum()) if not objectives_p.empty else 0
    )
    pc = prev_has["controls"] and annex_p.assessed > 0
    d2 = ReviewSection(
        code="d2",
        title="Monitoring and measurement results",
        figures=[
            compare(
                "annex_a.implementation_rate",
                "Annex A implementation rate",
                annex.implementation_rate,
                annex_p.implementation_rate,
                pc,
                unit="rate",
                target=settings.implementation_rate_target,
                better="higher",
            ),
            compare(
                "annex_a.weighted_score",
                "Annex A weighted score",
                annex.weighted_score,
                annex_p.weighted_score,
                pc,
                unit="rate",
                target=settings.weighted_score_target,
                better="higher",
            ),
            compare(
                "clauses.implementation_rate",
                "Clause implementation rate",
                clauses.implementation_rate,
                clauses_p.implementation_rate,
                pc,
                unit="rate",
                target=settings.clause_rate_target,
                better="higher",
            ),
            compare(
                "monitoring.breach_points",
                "Monitoring breach points",
                mon.breach_points,
                mon_p.breach_points,
                prev_has["monitoring"],
                better="lower",
            ),
            compare(
                "monitoring.breach_episodes",
                "Breach episodes",
                mon.breach_episodes,
                mon_p.breach_episodes,
                prev_has["monitoring"],
                better="lower",
            ),
            compare(
                "monitoring.series_breaching_at_latest",
                "Series breaching now",
                mon.series_breaching_at_latest,
                mon_p.series_breaching_at_latest,
                prev_has["monitoring"],
                better="lower",
            ),
            compare(
                "incidents.total",
                "Incidents detected",
                inc.total,
                inc_p.total,
                prev_has["incidents"],
                better="lower",
            ),
            compare(
                "incidents.open",
                "Incidents open",
                inc.open,
                inc_p.open,
                prev_has["incidents"],
                better="lower",
            ),
            compare(
                "incidents.serious_missed",
                "Serious incidents reported late",
                inc.serious_missed,
                inc_p.serious_missed,
                prev_has["incidents"],
                better="lower",
            ),
            compare(
                "objectives.on_track",
                f"Objectives on track (of {len(objectives)})",
                on_track,
                on_track_p,
                prev_has["monitoring"] and not objectives_p.empty,
                target=float(len(objectives)) or None,
                better="higher",
            ),
        ],
        items=records(objectives),
    )
    aud, aud_p = audit_summary(con, as_of=as_of), audit_summary(con, as_of=prev.end)
    pa = prev_has["audits"]
    d3 = ReviewSection(
        code="d3",
        title="Audit results",
        figures=[
            compare("audits.planned", "Audits planned to date", aud.planned, aud_p.planned, pa),
            compare("audits.done", "Audits done", aud.done, aud_p.done, pa, better="higher"),
            compare("audits.overdue", "Audits overdue", aud.overdue, aud_p.overdue, pa, better="lower"),
        ],
    )
    return [d1, d2, d3]


def _opportunities(con, as_of, scope, system, unit) -> ReviewSection:
    groups = coverage_by_group(con, as_of=as_of, scope=scope, level="objective")
    lowest = (
        groups.dropna(subset=["implementation_rate"]).nsmallest(3, "implementation_rate")
        if not groups.empty
        else groups
    )
    stale = requirement_rows(con, as_of=as_of, scope=scope, kind="control")
    stale = stale[stale["evidence_stale"]] if not stale.empty else stale
    recurring = recurring_categories(con, as_of=as_of, system=system, unit=unit)
    health = health_matrix(con, as_of=as_of, system=system, unit=unit)
    degrading = (
        health[health["breaching"].fillna(False).astype(bool) & health["current_version"].astype(bool)]
        if not health.empty
        else health
    )
    checks = consistency_checks(con, as_of=as_of, scope=scope)
    items = (
        [
            {
                "kind": "lowest coverage",
                "subject": f"{r.id} {r.title}",
                "detail": f"implementation rate {r.implementation_rate:.0%}",
            }
            for r in lowest.itertuples()
        ]
        + [
            {
                "kind": "stale evidence",
                "subject": f"{r.id} {r.title}",
                "detail": f"evidence dated {r.evidence_date:%Y-%m-%d}"
                if r.evidence_date is not None and r.evidence_date == r.evidence_date
                else "no evidence date",
            }
            for r in stale.head(20).itertuples()
        ]
        + [
            {
                "kind": "recurring incidents",
                "subject": r.category,
                "detail": f"{r.count} incidents in 12 months",
            }
            for r in recurring.itertuples()
        ]
        + [
            {
                "kind": "degrading model",
                "subject": f"{r.ai_system} · {r.metric}"
                + (f" · {r.feature}" if isinstance(r.feature, str) and r.feature else ""),
                "detail": f"latest value {r.value:g} outside its thresholds",
            }
            for r in degrading.itertuples()
        ]
        + [{"kind": "inconsistency", "subject": r.subject, "detail": r.detail} for r in checks.itertuples()]
    )
    figures = [
        count_figure(
            "opportunities.lowest_objectives",
            "Objectives with the lowest coverage",
            len(lowest),
        ),
        count_figure(
            "opportunities.stale_evidence",
            "Controls with stale evidence",
            len(stale),
        ),
        count_figure(
            "opportunities.recurring_categories",
            "Recurring incident categories",
            len(recurring),
        ),
        count_figure(
            "opportunities.degrading_series",
            "Monitoring series breaching now",
            len(degrading),
        ),
        count_figure(
            "opportunities.inconsistencies",
            "Inconsistencies between files",
            len(checks),
        ),
    ]
    return ReviewSection(
        code="e", title="Opportunities for continual improvement", figures=figures, items=items
    )
