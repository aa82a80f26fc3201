"""One row per planned or performed audit: the audit programme (record dataset `audits`)."""

from __future__ import annotations

import duckdb

from ..contracts import Contract, FieldSpec, register
from ..messages import Message
from ._common import Reporter, duplicate_keys

CONTRACT = register(
    Contract(
        dataset="audits",
        title="Audit programme",
        semantics="record",
        key=("audit_id",),
        fields=(
            FieldSpec(
                name="audit_id",
                required=True,
                aliases=("Audit ID", "Audit #", "Audit no", "Audit number", "Audit ref", "Audit reference"),
                example="IA-2026-1",
            ),
            FieldSpec(
                name="audit_scope",
                aliases=("Scope", "Audit scope", "Area", "Process", "Clauses", "Subject", "Audit title"),
                example="Clauses 6 and 8; Annex A.6",
            ),
            FieldSpec(
                name="planned_date",
                kind="date",
                aliases=(
                    "Planned date",
                    "Planned",
                    "Date planned",
                    "Planned for",
                    "Scheduled",
                    "Scheduled date",
                ),
                example="2026-05-10",
            ),
            FieldSpec(
                name="done_date",
                kind="date",
                aliases=(
                    "Done date",
                    "Date done",
                    "Done",
                    "Completed",
                    "Completion date",
                    "Actual date",
                    "Date performed",
                    "Performed on",
                    "Date conducted",
                    "Conducted",
                    "Audit date",
                ),
                example="2026-05-12",
            ),
            FieldSpec(
                name="auditor",
                aliases=("Auditor", "Lead auditor", "Auditors", "Audit lead", "Audited by"),
                example="J. Novak",
            ),
            FieldSpec(
                name="audit_type",
                kind="enum",
                vocabulary="audit_type",
                aliases=("Type", "Audit type", "Internal/external", "Kind"),
                description="internal, external",
                example="Internal",
            ),
        ),
    )
)

STORE_KEY = ("audit_id",)


def check(con: duckdb.DuckDBPyConnection, typed: str, ctx: Reporter) -> list[Message]:
    """An audit id twice in one file is a problem (`duplicate_key`).

    Leaves `<typed>_store`: one row per file row, with exactly the columns of the `audits` table.
    """
    out = duplicate_keys(con, typed, ["audit_id"], "audit_id", ctx)
    con.execute(f"create or replace temp table {typed}_store as " + STORE_SQL.format(typed=typed))
    return out


STORE_SQL = """
select row_no, audit_id, audit_scope, planned_date, done_date, auditor, audit_type,
       audit_type__raw as audit_type_raw
from {typed}
"""
