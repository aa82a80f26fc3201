"""One row per AI system: the AI-system inventory (record dataset `systems`).

The key is the system id where the file gives one, else the name (compared case- and
space-insensitively). Names used in other datasets are matched to this inventory by name or id.
"""

from __future__ import annotations

import duckdb

from ..contracts import Contract, FieldSpec, register
from ..messages import Message
from ._common import Reporter, duplicate_keys, name_key

CONTRACT = register(
    Contract(
        dataset="systems",
        title="AI-system inventory",
        semantics="record",
        key=("system_id",),
        as_of_aliases=("As of", "As-of date", "Inventory date", "Snapshot date"),
        fields=(
            FieldSpec(
                name="system_id",
                aliases=("System ID", "AI system ID", "System ref", "System #", "Inventory ID", "Asset ID"),
                description="the system's identifier; the key when given (else the name)",
                example="AIS-001",
            ),
            FieldSpec(
                name="name",
                required=True,
                aliases=("System name", "AI system name", "Name", "Name of AI system", "Application name"),
                description="the name other datasets use for the system",
                example="Credit scoring model",
            ),
            FieldSpec(
                name="owner",
                aliases=("Owner", "System owner", "Business owner", "Product owner", "Accountable"),
                example="Head of Lending",
            ),
            FieldSpec(
                name="business_unit",
                aliases=(
                    "Business unit",
                    "BU",
                    "Department",
                    "Division",
                    "Organisational unit",
                    "Organizational unit",
                ),
                example="Retail banking",
            ),
            FieldSpec(
                name="risk_class",
                kind="enum",
                vocabulary="risk_class",
                aliases=(
                    "EU AI Act risk class",
                    "AI Act risk class",
                    "EU AI Act risk category",
                    "AI Act classification",
                    "Risk class",
                    "Risk tier",
                ),
                description="EU AI Act risk class: prohibited, high, limited, minimal",
                example="High",
            ),
            FieldSpec(
                name="lifecycle_status",
                kind="enum",
                vocabulary="lifecycle",
                aliases=("Lifecycle status", "Lifecycle stage", "Lifecycle", "Lifecycle phase", "Stage"),
                description="planned, development, pilot, production, retired",
                example="Production",
            ),
            FieldSpec(
                name="intended_purpose",
                aliases=("Intended purpose", "Purpose", "Intended use", "Use case", "Description"),
                example="Scores retail credit applications",
            ),
            FieldSpec(
                name="last_impact_assessment",
                kind="date",
                aliases=(
                    "Date of last impact assessment",
                    "Last impact assessment",
                    "Last impact assessment date",
                    "Impact assessment date",
                    "AI impact assessment date",
                    "Last AIIA",
                    "AIIA date",
                ),
                example="2026-03-31",
            ),
        ),
    )
)

STORE_KEY = ("system_key",)


def check(con: duckdb.DuckDBPyConnection, typed: str, ctx: Reporter) -> list[Message]:
    """One row per AI system: a key (id, else name) twice in a file is a problem.

    Leaves `<typed>_store`: one row per file row, with exactly the columns of the `systems` table.
    """
    con.execute(
        f"create or replace temp table {typed}_keyed as select *, "
        f"coalesce(system_id, {name_key('name')}) as system_key from {typed}"
    )
    out = duplicate_keys(
        con, f"{typed}_keyed", ["system_key"], "system_id" if ctx.header("system_id") else "name", ctx
    )
    con.execute(f"create or replace temp table {typed}_store as " + STORE_SQL.format(typed=typed))
    return out


STORE_SQL = """
select row_no, system_key, system_id, name, lower(regexp_replace(name, '\\s+', '', 'g')) as name_key,
       owner, business_unit, risk_class, risk_class__raw as risk_class_raw, lifecycle_status,
       lifecycle_status__raw as lifecycle_status_raw, intended_purpose, last_impact_assessment
from {typed}_keyed
"""
