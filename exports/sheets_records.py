"""Incidents, monitoring breaches, objectives, and findings and actions: one register per sheet."""

from __future__ import annotations

import pandas as pd

from metrics.findings import findings_rows, findings_summary
from metrics.incidents import SEVERITIES, incident_rows, incident_summary
from metrics.monitoring import breach_episodes, health_matrix, monitoring_summary
from metrics.objectives import objectives_status

from .context import PackContext
from .style import words
from .tables import Col, index, status_rules, write_table

__all__ = ["source_column", "write_findings", "write_incidents", "write_monitoring", "write_objectives"]


def source_column(frame: pd.DataFrame) -> list[str]:
    """`file · sheet · row N` for each row of a metrics frame with file_name, sheet and row_no."""
    return [
        " · ".join([str(f)] + ([str(s)] if pd.notna(s) else []) + [f"row {int(r)}"])
        for f, s, r in zip(frame["file_name"], frame["sheet"], frame["row_no"], strict=True)
    ]


def _flag(series: pd.Series, yes: str, no: str | None = None) -> list[str | None]:
    return [yes if v is True or v == 1 else no for v in series.astype(object).where(series.notna(), None)]


def write_incidents(ctx: PackContext) -> None:
    """The incidents of the quarter: detected in it or open at its end, newest first, with their state.

    Older closed incidents stay out (the dashboard and the source files hold the whole history): a
    quarterly pack reports the quarter, and a log of years would bury it.
    """
    sheet = ctx.sheet("Incidents", title="Incidents")
    every = incident_rows(ctx.con, as_of=ctx.as_of, **ctx.filters)
    summary = incident_summary(ctx.con, quarter=ctx.quarter, **ctx.filters)
    frame = every
    if not every.empty:
        detected = pd.to_datetime(every["detected_date"])
        frame = every[(detected.dt.date >= ctx.quarter.start) | every["open"].astype(bool)].iloc[::-1]
        detected = pd.to_datetime(frame["detected_date"])
        frame = frame.assign(
            quarter=detected.dt.year.astype(str) + "-Q" + detected.dt.quarter.astype(str),
            open_state=_flag(frame["open"], "open"),
            system=frame["system_name"].fillna(frame["ai_system"]),
            source=source_column(frame),
        )
    note = (
        f"{ctx.quarter}: {summary.total} detected ("
        + ", ".join(f"{summary.by_severity[s]} {s}" for s in SEVERITIES)
        + f"), {summary.open} open at the quarter end, {summary.serious} serious "
        f"({summary.serious_missed} reporting deadlines missed). Listed: the {len(frame):,} incidents detected in "
        f"the quarter or open at its end, of {len(every):,} detected by the as-of date. Open = not resolved or "
        "closed by the as-of date."
    )
    columns = [
        Col("incident_id", "Incident", width=10),
        Col("title", "Title", "wrap", 34),
        Col("system", "AI system", "wrap", 15),
        Col("severity", "Severity", "status", 11),
        Col("status_at_as_of", "Status at as-of", width=11),
        Col("open_state", "Open", "status", 8),
        Col("category", "Category", "wrap", 13),
        Col("quarter", "Quarter", width=8),
        Col("detected_date", "Detected", "date", 10.5),
        Col("resolved_date", "Resolved", "date", 10.5),
        Col("closed_date", "Closed", "date", 10.5),
        Col("days_to_resolve", "Days to resolve", "int", 8),
        Col("serious", "Serious (EU AI Act)", "bool", 9),
        Col("root_cause", "Root cause", "wrap", 24),
        Col("source", "Source (file · sheet · row)", "wrap", 24),
    ]
    last = write_table(
        sheet,
        ctx.styles,
        frame,
        columns,
        top=4,
        note=note,
        empty="No incident detected in the quarter or open at its end.",
    )
    status_rules(sheet, ctx.styles, 5, last, index(columns, "severity"), list(SEVERITIES))
    status_rules(sheet, ctx.styles, 5, last, index(columns, "open_state"), ["open"])


def write_monitoring(ctx: PackContext) -> None:
    """One row per breach episode with a point in the quarter; which series breach at its end."""
    sheet = ctx.sheet("Monitoring breaches", title="Model monitoring — breach episodes")
    summary = monitoring_summary(ctx.con, quarter=ctx.quarter, **ctx.filters)
    health = health_matrix(ctx.con, as_of=ctx.as_of, **ctx.filters)
    breaching = health[(health["state"] == "breach") & health["current_version"].astype(bool)]
    names = [
        " · ".join(str(v) for v in (r.ai_system, r.metric, r.feature) if pd.notna(v))
        for r in breaching.itertuples()
    ]
    note = (
        f"{ctx.quarter}: {summary.points:,} points, {summary.breach_points:,} breaching, "
        f"{summary.breach_episodes} episodes; {summary.series_breaching_at_latest} of {summary.series} series "
        f"breach at the quarter end{': ' + '; '.join(names) if names else ''}. "
        f"Tool verdicts that disagree with the thresholds: {summary.disagreements}."
    )
    frame = breach_episodes(ctx.con, start=ctx.quarter.start, end=ctx.as_of, **ctx.filters)
    if not frame.empty:
        frame = frame.assign(
            days=pd.to_timedelta(frame["duration"]).dt.total_seconds() / 86400,
            state=_flag(frame["ongoing"], "ongoing", "ended"),
        )
    columns = [
        Col("ai_system", "AI system", width=18),
        Col("metric", "Metric", width=14),
        Col("feature", "Feature or segment", width=16),
        Col("model_version", "Model version", width=11),
        Col("start", "Start", "datetime", 16),
        Col("end", "End", "datetime", 16),
        Col("points", "Points", "int", 8),
        Col("days", "Duration (days)", "number", 10),
        Col("min_value", "Lowest value", "decimal", 10),
        Col("max_value", "Highest value", "decimal", 10),
        Col("state", "State at quarter end", "status", 14),
        Col("file_name", "Source file (first point)", "wrap", 24),
        Col("row_no", "Row", "int", 7),
    ]
    last = write_table(
        sheet, ctx.styles, frame, columns, top=4, note=note, empty="No breach in this quarter."
    )
    status_rules(sheet, ctx.styles, 5, last, index(columns, "state"), ["ongoing", "ended"])


def write_objectives(ctx: PackContext) -> None:
    """One row per AI objective (6.2): its value at the as-of date against its target."""
    sheet = ctx.sheet("Objectives", title="AI objectives (6.2)")
    frame = objectives_status(ctx.con, as_of=ctx.as_of, **ctx.filters)
    if not frame.empty:
        frame = frame.assign(
            track=[
                None if pd.isna(v) else "on_track" if v else "off_track"
                for v in frame["on_track"].astype(object)
            ],
            overdue_state=_flag(frame["overdue"], "overdue"),
            direction_text=frame["direction"].map({"at_least": "≥ at least", "at_most": "≤ at most"}),
            source=source_column(frame),
        )
    note = (
        "On track: value ≥ target (at least) or ≤ target (at most). Overdue: due before the as-of date and "
        "not on track. A metric-measured objective takes its latest monitoring value."
    )
    columns = [
        Col("objective_id", "Objective", width=10),
        Col("objective", "Objective", "wrap", 42),
        Col("measure", "Measure", width=12),
        Col("ai_system", "AI system", width=16),
        Col("value", "Value", "decimal", 10),
        Col("direction_text", "Direction", width=11),
        Col("target", "Target", "decimal", 10),
        Col("unit", "Unit", width=7),
        Col("track", "On track", "status", 13),
        Col("value_as_of", "Value as of", "date", 11),
        Col("value_source", "Value from", width=11),
        Col("owner", "Owner", width=20),
        Col("due_date", "Due", "date", 11),
        Col("overdue_state", "Overdue", "status", 11),
        Col("source", "Source (file · sheet · row)", "wrap", 30),
    ]
    last = write_table(sheet, ctx.styles, frame, columns, top=4, note=note, empty="No objectives are loaded.")
    status_rules(sheet, ctx.styles, 5, last, index(columns, "track"), ["on_track", "off_track"])
    status_rules(sheet, ctx.styles, 5, last, index(columns, "overdue_state"), ["overdue"])


def write_findings(ctx: PackContext) -> None:
    """One row per finding or action raised by the as-of date, newest first, with its state then."""
    sheet = ctx.sheet("Findings and actions", title="Audit findings, nonconformities and actions")
    summary = findings_summary(ctx.con, as_of=ctx.as_of, **ctx.filters)
    frame = findings_rows(ctx.con, as_of=ctx.as_of).iloc[::-1]
    if not frame.empty:
        frame = frame.assign(
            state=["closed" if not o else "open" for o in frame["open"].astype(bool)],
            overdue_state=_flag(frame["overdue"], "overdue"),
            source_file=source_column(frame),
        )
    note = (
        f"{summary.open} open ({summary.open_nonconformities} nonconformities), {summary.overdue} overdue, "
        f"{summary.closed_late} closed late, {summary.repeat_nonconformities} repeat nonconformities, "
        f"{summary.effectiveness_pending} closed nonconformities awaiting an effectiveness check. "
        "Overdue = not closed and due before the as-of date."
    )
    columns = [
        Col("finding_id", "Finding", width=10),
        Col("source", "Raised by", width=14, convert=words),
        Col("finding_type", "Type", width=16, convert=words),
        Col("requirement_id", "Clause or control", width=10),
        Col("title", "Title", "wrap", 40),
        Col("owner", "Owner", width=18),
        Col("state", "Open at as-of", "status", 11),
        Col("status", "Status", width=11, convert=words),
        Col("raised_date", "Raised", "date", 11),
        Col("due_date", "Due", "date", 11),
        Col("closed_date", "Closed", "date", 11),
        Col("overdue_state", "Overdue", "status", 11),
        Col("days_overdue", "Days overdue", "int", 8),
        Col("closed_late", "Closed late", "bool", 8),
        Col("repeat_nonconformity", "Repeat NC", "bool", 8),
        Col("effectiveness_verified", "Effectiveness verified", "bool", 11),
        Col("audit_id", "Audit", width=12),
        Col("source_file", "Source (file · sheet · row)", "wrap", 30),
    ]
    last = write_table(
        sheet, ctx.styles, frame, columns, top=4, note=note, empty="No findings on or before this date."
    )
    status_rules(sheet, ctx.styles, 5, last, index(columns, "state"), ["open", "closed"])
    status_rules(sheet, ctx.styles, 5, last, index(columns, "overdue_state"), ["overdue"])
