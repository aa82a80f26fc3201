"""One row per incident: the organisation's own AI incidents (record dataset `incidents`).

Severity is canonical critical / high / medium / low (see `loaders.vocab` for the scales that map, and
why a bare number is `ambiguous_severity`). A serious incident under the EU AI Act carries its awareness
date and deadline class (15, 10 or 2 days); `deadline_days` is stored beside the class.
"""

from __future__ import annotations

import duckdb

from ..contracts import Contract, FieldSpec, register
from ..messages import Message
from ..vocab import DEADLINE_DAYS
from ._common import SYSTEM_ALIASES, Reporter, date_order, duplicate_keys, name_key, unknown_systems

CONTRACT = register(
    Contract(
        dataset="incidents",
        title="AI incident register",
        semantics="record",
        key=("incident_id",),
        fields=(
            FieldSpec(
                name="incident_id",
                required=True,
                aliases=(
                    "Incident ID",
                    "Incident #",
                    "Incident no",
                    "Incident number",
                    "Incident ref",
                    "Incident reference",
                    "Issue key",
                    "Number",
                    "ref_id",
                ),
                example="INC-2026-007",
            ),
            FieldSpec(
                name="title",
                aliases=(
                    "Title",
                    "Incident title",
                    "Summary",
                    "Short description",
                    "short_description",
                    "Name",
                ),
                example="Chatbot gave wrong refund policy",
            ),
            FieldSpec(name="description", aliases=("Description", "Details", "Incident description")),
            FieldSpec(
                name="ai_system",
                aliases=(*SYSTEM_ALIASES, "Configuration item", "cmdb_ci"),
                example="Support chatbot",
            ),
            FieldSpec(
                name="detected_date",
                kind="date",
                required=True,
                aliases=(
                    "Date detected",
                    "Detected",
                    "Detected on",
                    "Detected at",
                    "Detection date",
                    "date_detected",
                    "Incident date",
                    "Incident date/time",
                    "Opened",
                    "Opened at",
                    "opened_at",
                    "Created",
                    "Date",
                ),
                example="2026-02-13",
            ),
            FieldSpec(
                name="reported_date",
                kind="date",
                aliases=(
                    "Date reported",
                    "Reported",
                    "Reported on",
                    "Reported at",
                    "reported_at",
                    "Report date",
                ),
            ),
            FieldSpec(
                name="resolved_date",
                kind="date",
                aliases=(
                    "Date resolved",
                    "Resolved",
                    "Resolved on",
                    "Resolved at",
                    "resolved_at",
                    "Resolution date",
                ),
            ),
            FieldSpec(
                name="closed_date",
                kind="date",
                aliases=(
                    "Date closed",
                    "Closed",
                    "Closed on",
                    "Closed at",
                    "closed_at",
                    "Closure date",
                    "Close date",
                ),
            ),
            FieldSpec(
                name="severity",
                kind="enum",
                vocabulary="incident_severity",
                required=True,
                aliases=("Severity", "Severity level", "Incident severity", "Priority", "Criticality"),
                description="critical, high, medium, low (or P1-P4, SEV1-SEV5, '1 - Critical'; 1 = most severe)",
                example="High",
            ),
            FieldSpec(
                name="status",
                kind="enum",
                vocabulary="incident_status",
                required=True,
                aliases=("Status", "Incident status", "State"),
                description="open, investigating, mitigated, resolved, closed",
                example="Investigating",
            ),
            FieldSpec(
                name="category",
                aliases=("Category", "Type", "Incident type", "Incident category", "Harm category"),
                example="Performance",
            ),
            FieldSpec(
                name="root_cause",
                aliases=(
                    "Root cause",
                    "Cause",
                    "Caused by",
                    "Root cause analysis",
                    "Custom field (Root cause)",
                ),
            ),
            FieldSpec(
                name="linked_to",
                aliases=(
                    "Linked risk or control",
                    "Linked risk/control",
                    "Related risk/control",
                    "Linked risk",
                    "Linked control",
                    "Related risk",
                    "Related control",
                ),
                example="R-014",
            ),
            FieldSpec(
                name="serious",
                kind="bool",
                vocabulary="yes_no",
                aliases=(
                    "Serious incident",
                    "Serious incident (Art. 73)",
                    "Serious incident (EU AI Act)",
                    "Serious",
                    "Serious incident?",
                    "Reportable",
                ),
                description="a serious incident under the EU AI Act (Yes/No)",
                example="No",
            ),
            FieldSpec(
                name="awareness_date",
                kind="date",
                aliases=("Awareness date", "Date of awareness", "Became aware", "Aware on", "Awareness"),
            ),
            FieldSpec(
                name="deadline_class",
                kind="enum",
                vocabulary="deadline_class",
                aliases=("Deadline class", "Reporting deadline", "Notification deadline", "Art. 73 deadline"),
                description="general (15 days), death (10 days), widespread (2 days); or the number of days",
                example="15 days",
            ),
            FieldSpec(
                name="authority_reported_date",
                kind="date",
                aliases=(
                    "Date reported to authority",
                    "Reported to authority",
                    "Reported to the authority",
                    "Authority notified",
                    "Date authority notified",
                    "Notified to authority",
                    "Authority report date",
                    "Notification date",
                ),
            ),
        ),
    )
)

STORE_KEY = ("incident_id",)


def check(con: duckdb.DuckDBPyConnection, typed: str, ctx: Reporter) -> list[Message]:
    """Rules of the incident register across columns and rows.

    - an incident id twice in one file is a problem (`duplicate_key`);
    - resolved or closed before detected is an impossible date (`resolved_before_detected`,
      `closed_before_detected`);
    - a serious incident without its awareness date or deadline class is a warning
      (`missing_awareness_date`, `missing_deadline_class`): the reporting deadline cannot be judged;
    - an AI-system name the inventory does not know is a warning (`unknown_system`).

    Leaves `<typed>_store`: one row per file row, with exactly the columns of the `incidents` table.
    """
    out = duplicate_keys(con, typed, ["incident_id"], "incident_id", ctx)
    out += date_order(con, typed, "detected_date", "resolved_date", "resolved_before_detected", ctx)
    out += date_order(con, typed, "detected_date", "closed_date", "closed_before_detected", ctx)
    for field, code in (
        ("awareness_date", "missing_awareness_date"),
        ("deadline_class", "missing_deadline_class"),
    ):
        for row, incident in con.execute(
            f"select row_no, incident_id from {typed} where serious = 'true' and \"{field}\" is null order by row_no"
        ).fetchall():
            out.append(
                ctx.problem(
                    code,
                    row,
                    ctx.header(field) or field,
                    incident,
                    f"a {field.replace('_', ' ')} for a serious incident",
                    severity="warning",
                )
            )
    out += unknown_systems(con, typed, "ai_system", ctx)
    con.execute(f"create or replace temp table {typed}_store as " + STORE_SQL.format(typed=typed))
    return out


_DAYS = " ".join(f"when '{k}' then {v}" for k, v in DEADLINE_DAYS.items())

STORE_SQL = (
    """
select row_no, incident_id, title, description, ai_system, """
    + name_key("ai_system")
    + """ as ai_system_key,
       detected_date, reported_date, resolved_date, closed_date,
       severity, severity__raw as severity_raw, status, status__raw as status_raw,
       category, root_cause, linked_to, cast(serious as boolean) as serious, awareness_date,
       deadline_class, case deadline_class """
    + _DAYS
    + """ end as deadline_days, authority_reported_date
from {typed}
"""
)
