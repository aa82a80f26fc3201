"""One row per finding or action: audit findings, nonconformities, actions (record dataset `findings`).

Management-review decisions and actions (9.3.3) are findings whose source is `management_review`. The
clause or control is normalised like a requirement id of the control-status dataset.
"""

from __future__ import annotations

import duckdb

from ..contracts import Contract, FieldSpec, register
from ..messages import Message
from ._common import Reporter, date_order, duplicate_keys

CONTRACT = register(
    Contract(
        dataset="findings",
        title="Audit findings, nonconformities and actions",
        semantics="record",
        key=("finding_id",),
        fields=(
            FieldSpec(
                name="finding_id",
                required=True,
                aliases=(
                    "Finding ID",
                    "Finding #",
                    "Finding no",
                    "Finding ref",
                    "Finding reference",
                    "NC ID",
                    "NC number",
                    "Nonconformity ID",
                    "Action ID",
                    "CAPA ID",
                    "Observation ID",
                ),
                example="F-2026-03",
            ),
            FieldSpec(
                name="source",
                kind="enum",
                vocabulary="finding_source",
                aliases=("Source", "Finding source", "Origin", "Raised from", "Source of finding"),
                description="internal_audit, external_audit, management_review, incident, other",
                example="Internal audit",
            ),
            FieldSpec(
                name="finding_type",
                kind="enum",
                vocabulary="finding_type",
                aliases=("Type", "Finding type", "Classification", "Grade", "NC type", "Finding category"),
                description="major_nonconformity, minor_nonconformity, observation, opportunity",
                example="Minor NC",
            ),
            FieldSpec(
                name="requirement_id",
                kind="requirement",
                aliases=(
                    "Clause or control",
                    "Clause/control",
                    "Clause",
                    "Control",
                    "Requirement",
                    "Requirement ID",
                    "ISO 42001 clause",
                    "Clause ref",
                    "Standard reference",
                    "Annex A control",
                ),
                example="8.2",
            ),
            FieldSpec(
                name="title",
                aliases=("Title", "Finding", "Finding title", "Summary", "Action", "Action title"),
            ),
            FieldSpec(
                name="description",
                aliases=("Description", "Details", "Finding description", "Statement of nonconformity"),
            ),
            FieldSpec(
                name="raised_date",
                kind="date",
                aliases=(
                    "Date raised",
                    "Raised",
                    "Raised on",
                    "Date identified",
                    "Identified on",
                    "Date opened",
                    "Opened",
                    "Finding date",
                    "Created",
                    "Date",
                ),
                example="2026-05-12",
            ),
            FieldSpec(
                name="due_date",
                kind="date",
                aliases=("Due date", "Due", "Due by", "Target date", "Target completion date", "Deadline"),
                example="2026-07-31",
            ),
            FieldSpec(
                name="closed_date",
                kind="date",
                aliases=(
                    "Date closed",
                    "Closed",
                    "Closed on",
                    "Closure date",
                    "Completion date",
                    "Date completed",
                    "Completed on",
                ),
            ),
            FieldSpec(
                name="owner", aliases=("Owner", "Action owner", "Responsible", "Assignee", "Assigned to")
            ),
            FieldSpec(
                name="status",
                kind="enum",
                vocabulary="finding_status",
                required=True,
                aliases=("Status", "Action status", "Finding status", "State"),
                description="open, in_progress, closed",
                example="In progress",
            ),
            FieldSpec(
                name="effectiveness_verified",
                kind="bool",
                vocabulary="yes_no",
                aliases=(
                    "Effectiveness verified",
                    "Verified effective",
                    "Effective",
                    "Effectiveness",
                    "Effectiveness check",
                    "Verification of effectiveness",
                ),
                description="whether the action's effectiveness was verified (Yes/No)",
            ),
            FieldSpec(
                name="audit_id",
                aliases=("Audit ID", "Audit", "Audit ref", "Audit reference", "Review ID"),
                description="the audit (dataset audits) or review that raised it",
                example="IA-2026-1",
            ),
        ),
    )
)

STORE_KEY = ("finding_id",)


def check(con: duckdb.DuckDBPyConnection, typed: str, ctx: Reporter) -> list[Message]:
    """Rules of the findings register across columns and rows.

    - a finding id twice in one file is a problem (`duplicate_key`);
    - closed before raised is an impossible date (`closed_before_raised`);
    - status closed without a closing date is a warning (`missing_closed_date`): "closed late" cannot
      be judged.

    Leaves `<typed>_store`: one row per file row, with exactly the columns of the `findings` table.
    """
    out = duplicate_keys(con, typed, ["finding_id"], "finding_id", ctx)
    out += date_order(con, typed, "raised_date", "closed_date", "closed_before_raised", ctx)
    for row, finding in con.execute(
        f"select row_no, finding_id from {typed} where status = 'closed' and closed_date is null order by row_no"
    ).fetchall():
        out.append(
            ctx.problem(
                "missing_closed_date",
                row,
                ctx.header("closed_date") or "closed_date",
                finding,
                "the date a closed finding was closed",
                severity="warning",
            )
        )
    con.execute(f"create or replace temp table {typed}_store as " + STORE_SQL.format(typed=typed))
    return out


STORE_SQL = """
select row_no, finding_id, source, source__raw as source_raw, finding_type,
       finding_type__raw as finding_type_raw, requirement_id, requirement_id__raw as requirement_raw,
       title, description, raised_date, due_date, closed_date, owner, status, status__raw as status_raw,
       cast(effectiveness_verified as boolean) as effectiveness_verified, audit_id
from {typed}
"""
