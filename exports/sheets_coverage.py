"""Clause coverage (clauses 4-10 and their subclauses) and the Statement of Applicability (38 controls)."""

from __future__ import annotations

import pandas as pd

from metrics.coverage import STATUSES, annex_a_rows, coverage_by_group, soa_completeness
from metrics.requirements import requirement_rows

from .context import PackContext
from .tables import Col, index, status_rules, write_table

__all__ = ["write_clauses", "write_soa"]

_JUDGED = ("implemented", "partially_implemented")


def _evidence_state(frame: pd.DataFrame) -> pd.Series:
    """stale / fresh for requirements whose evidence is judged (applicable, implemented or partial)."""
    judged = frame["status"].isin(_JUDGED)
    stale = frame["evidence_stale"].fillna(False).astype(bool)
    return pd.Series(
        ["stale" if s else "fresh" if j else None for s, j in zip(stale, judged, strict=True)],
        index=frame.index,
    )


def _source(frame: pd.DataFrame) -> pd.Series:
    """`file · sheet · row N` of each row (empty where the requirement has no row in force)."""
    parts = []
    for file, sheet, row in zip(frame["file_name"], frame["sheet"], frame["row_no"], strict=True):
        if pd.isna(file):
            parts.append(None)
            continue
        where = (
            [str(file)]
            + ([str(sheet)] if pd.notna(sheet) else [])
            + ([f"row {int(row)}"] if pd.notna(row) else [])
        )
        parts.append(" · ".join(where))
    return pd.Series(parts, index=frame.index, dtype=object)


# who answers for a requirement, its evidence and where the row came from: the last columns of both sheets
_EVIDENCE_COLUMNS = [
    Col("owner", "Owner", width=20),
    Col("evidence", "Evidence", "link", 36),
    Col("evidence_date", "Evidence date", "date", 12),
    Col("evidence_state", "Evidence age", "status", 12),
    Col("last_reviewed", "Last reviewed", "date", 12),
    Col("source", "Source (file · sheet · row)", "wrap", 34),
]
_STATUS_VALUES = [*STATUSES, "not_applicable", "on_target", "below_target"]


def write_clauses(ctx: PackContext) -> None:
    """One row per clause 4-10 (its counts and rate against the target), then one per leaf subclause."""
    sheet = ctx.sheet("Clause coverage", title="Clause coverage — clauses 4 to 10")
    target = ctx.settings.clause_rate_target
    groups = coverage_by_group(ctx.con, as_of=ctx.as_of, scope=ctx.scope, level="clause")
    leaves = requirement_rows(ctx.con, as_of=ctx.as_of, scope=ctx.scope, kind="subclause")
    if not leaves.empty:
        leaves = leaves.assign(
            evidence_state=_evidence_state(leaves), source=_source(leaves), level="subclause"
        )
    rows = []
    for group in groups.to_dict("records"):
        rate = group["implementation_rate"]
        status = None if pd.isna(rate) else "on_target" if rate >= target else "below_target"
        rows.append({**group, "level": "clause", "status": status, "target": target})
        if not leaves.empty:
            rows.extend(leaves[leaves["group_id"] == group["id"]].to_dict("records"))
    frame = pd.DataFrame(rows)
    columns = [
        Col("id", "ID", width=8),
        Col("title", "Title", "wrap", 40),
        Col("level", "Level", width=10),
        Col("status", "Status", "status", 22),
        Col("implemented", "Implemented", "int", 12),
        Col("applicable", "Applicable", "int", 11),
        Col("implementation_rate", "Implementation rate", "pct", 14),
        Col("target", "Target", "pct", 9),
        *_EVIDENCE_COLUMNS,
    ]
    if not frame.empty:
        frame["applicable"] = frame["applicable"].where(frame["level"] == "clause")
    note = (
        f"Clauses are mandatory. Rate = implemented ÷ applicable leaf subclauses; target {target:.0%} "
        "(setting clause_rate_target). A subclause without a row of its own takes its parent's."
    )
    last = write_table(
        sheet, ctx.styles, frame, columns, top=4, note=note, empty="No clause assessment is in force."
    )
    status_rules(sheet, ctx.styles, 5, last, index(columns, "status"), _STATUS_VALUES)
    status_rules(sheet, ctx.styles, 5, last, index(columns, "evidence_state"), ["stale", "fresh"])


def write_soa(ctx: PackContext) -> None:
    """All 38 Annex A controls: applicability, justification, status, owner, evidence, review, staleness."""
    sheet = ctx.sheet("Statement of Applicability", title="Statement of Applicability — Annex A controls")
    frame = requirement_rows(ctx.con, as_of=ctx.as_of, scope=ctx.scope, kind="control")
    if frame.empty:  # nothing in force: every control listed, not assessed
        frame = annex_a_rows(ctx.con, as_of=ctx.as_of, scope=ctx.scope).rename(
            columns={"control_id": "id", "objective_id": "group_id"}
        )
        frame = frame.assign(evidence_stale=False, last_reviewed=None)
    frame = frame.assign(evidence_state=_evidence_state(frame), source=_source(frame))
    complete = soa_completeness(ctx.con, as_of=ctx.as_of, scope=ctx.scope)
    if complete.complete:
        note = (
            f"Complete: all {complete.controls} controls have an applicability decision and a justification."
        )
    else:
        note = (
            f"Incomplete: {complete.controls - complete.with_decision} controls without a decision, "
            f"{complete.controls - complete.with_justification} without a justification "
            f"({', '.join(complete.missing_justification[:12])}{' …' if len(complete.missing_justification) > 12 else ''})."
        )
    columns = [
        Col("id", "Control", width=9),
        Col("group_id", "Objective", width=9),
        Col("title", "Title", "wrap", 34),
        Col("applicable", "Applicable", "bool", 10),
        Col("justification", "Justification", "wrap", 40),
        Col("status", "Status", "status", 22),
        *_EVIDENCE_COLUMNS,
    ]
    last = write_table(sheet, ctx.styles, frame, columns, top=4, note=note)
    status_rules(sheet, ctx.styles, 5, last, index(columns, "status"), [*STATUSES, "not_applicable"])
    status_rules(sheet, ctx.styles, 5, last, index(columns, "evidence_state"), ["stale", "fresh"])
