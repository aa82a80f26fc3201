"""Control and clause assessments: the Statement of Applicability (snapshot dataset `controls`)."""

from __future__ import annotations

import duckdb

from ..contracts import Contract, FieldSpec, register
from ..messages import Message

CONTRACT = register(
    Contract(
        dataset="controls",
        title="Control status and Statement of Applicability",
        semantics="snapshot",
        key=("requirement_id",),
        fields=(
            FieldSpec(
                name="requirement_id",
                kind="requirement",
                required=True,
                aliases=(
                    "Control ID",
                    "Ref ID",
                    "ref_id",
                    "Ref",
                    "Annex A ref",
                    "Annex A control",
                    "Control Ref",
                    "Control No",
                    "Control number",
                    "Requirement ID",
                    "Requirement",
                    "Clause",
                    "ID",
                    "Opatření",
                    "urn",
                    "Control",
                ),
                description="ISO/IEC 42001 subclause (4.1 … 10.2) or Annex A control (A.2.2 … A.10.4)",
                example="A.6.2.6",
            ),
            FieldSpec(
                name="title",
                aliases=(
                    "Control Name",
                    "Control title",
                    "Name",
                    "Title",
                    "Název",
                    "Objective/Control",
                    "Requirement name",
                ),
                description="the requirement's title as written in the file (not used for matching)",
                example="AI system operation and monitoring",
            ),
            FieldSpec(
                name="applicability",
                kind="bool",
                vocabulary="applicability",
                aliases=(
                    "Applicable",
                    "Applicable?",
                    "Applicability",
                    "Included",
                    "Applicability y/n",
                    "Is control applicable",
                    "In scope",
                    "Aplikovatelnost",
                ),
                description="applicable / not applicable (Yes, No, N/A, Included, Excluded …)",
                example="Yes",
            ),
            FieldSpec(
                name="status",
                kind="enum",
                vocabulary="control_status",
                required=True,
                aliases=(
                    "Implementation status",
                    "Status",
                    "Implementation",
                    "Implemented",
                    "compliance_result",
                    "Result",
                    "Control implementation status",
                    "Control implentation status",
                    "Implementace",
                ),
                description="implementation status (Implemented, Partially implemented, Planned, "
                "Not implemented, Not assessed, N/A)",
                example="Implemented",
            ),
            FieldSpec(
                name="justification",
                aliases=(
                    "Justification",
                    "Justification for inclusion / exclusion",
                    "Justification for inclusion/exclusion",
                    "Reason for inclusion/exclusion",
                    "Reason for inclusion/ exclusion",
                    "Rationale",
                    "Justification for exclusion",
                    "Odůvodnění",
                ),
                description="why the control is included or excluded (6.1.3)",
                example="Models in production are monitored for drift",
            ),
            FieldSpec(
                name="owner",
                aliases=("Owner", "Control owner", "Responsible", "Accountable"),
                example="Head of ML Ops",
            ),
            FieldSpec(
                name="evidence",
                aliases=(
                    "Evidence",
                    "Evidence / Notes",
                    "Evidence link",
                    "Evidence reference",
                    "Evidence location",
                    "Odkaz na dokumentaci",
                ),
                example="https://intranet.example/monitoring-runbook",
            ),
            FieldSpec(
                name="evidence_date",
                kind="date",
                aliases=("Evidence date", "Evidence updated", "Evidence last updated", "Last evidence"),
                example="2026-08-31",
            ),
            FieldSpec(
                name="last_reviewed",
                kind="date",
                aliases=("Last reviewed", "Review date", "Last review", "Reviewed on"),
                example="2026-09-15",
            ),
            FieldSpec(
                name="notes",
                aliases=("Notes", "Comment", "Comments", "Observations", "Poznámka", "Remarks"),
                example="",
            ),
        ),
    )
)


def check(con: duckdb.DuckDBPyConnection, typed: str, ctx) -> list[Message]:
    """Rules of the Statement of Applicability that hold across columns and rows.

    - N/A in the status (or applicability) column makes the control not applicable, status empty;
    - clauses 4-10 are mandatory: a clause marked not applicable is a problem;
    - applicability "applicable" with status "N/A" contradicts itself;
    - a requirement twice in one file is a problem (the later rows name the first);
    - a control without a justification is a warning (SoA completeness shows it).

    Leaves `<typed>_store`: one row per file row, with exactly the columns of the `controls` table.
    """
    out: list[Message] = []
    col = ctx.header
    con.execute(
        f"""create or replace temp table {typed}_final as
        select *, coalesce(applicability = 'not_applicable' or status = 'not_applicable', false) as not_applicable
        from {typed}"""
    )
    for row, req, by_applicability in con.execute(
        f"select row_no, requirement_id, coalesce(applicability = 'not_applicable', false) from {typed}_final "
        "where not_applicable and requirement_id not like 'A.%' order by row_no"
    ).fetchall():
        out.append(
            ctx.problem(
                "clause_not_applicable",
                row,
                col("applicability") if by_applicability else col("status"),  # the cell that excludes it
                req,
                "clauses 4-10 are mandatory; only Annex A controls can be excluded",
            )
        )
    for row, raw in con.execute(
        f"select row_no, status__raw from {typed}_final "
        "where applicability = 'applicable' and status = 'not_applicable' order by row_no"
    ).fetchall():
        out.append(
            ctx.problem(
                "conflicting_applicability",
                row,
                col("status"),
                raw,
                "a status for an applicable control, or applicability No",
            )
        )
    for row, req, first in con.execute(
        f"""select row_no, requirement_id, first_value(row_no) over (partition by requirement_id order by row_no)
            from {typed}_final where requirement_id is not null
            qualify row_number() over (partition by requirement_id order by row_no) > 1 order by row_no"""
    ).fetchall():
        out.append(
            ctx.problem(
                "duplicate_key",
                row,
                col("requirement_id"),
                req,
                f"each requirement once per file (first at row {first})",
            )
        )
    for row, req in con.execute(
        f"select row_no, requirement_id from {typed}_final where requirement_id like 'A.%' "
        "and justification is null order by row_no"
    ).fetchall():
        out.append(
            ctx.problem(
                "missing_justification",
                row,
                col("justification") or "Justification",
                req,
                "a justification for every Annex A control, included or excluded",
                severity="warning",
            )
        )
    con.execute(f"create or replace temp table {typed}_store as " + STORE_SQL.format(typed=typed))
    return out


STORE_SQL = """
select row_no, requirement_id, not not_applicable as applicable,
       case when not_applicable then null else status end as status, status__raw as status_raw,
       justification, owner, evidence, evidence_date, last_reviewed, notes
from {typed}_final
"""
