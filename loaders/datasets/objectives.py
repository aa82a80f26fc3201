"""One row per objective with its measure and target: AI objectives, 6.2 (record dataset `objectives`).

The measure is a monitoring metric name (its value comes from the `monitoring` dataset) or `manual`
(the current value is given in the file); a blank measure is read as `manual`. A target needs its
direction: at_least (higher is better) or at_most.
"""

from __future__ import annotations

import duckdb

from ..contracts import Contract, FieldSpec, register
from ..messages import Message
from ._common import SYSTEM_ALIASES, Reporter, duplicate_keys, name_key, unknown_systems

CONTRACT = register(
    Contract(
        dataset="objectives",
        title="AI objectives",
        semantics="record",
        key=("objective_id",),
        fields=(
            FieldSpec(
                name="objective_id",
                required=True,
                aliases=("Objective ID", "Objective #", "Objective no", "Objective ref", "KPI ID"),
                example="OBJ-03",
            ),
            FieldSpec(
                name="objective",
                required=True,
                aliases=("Objective", "Objective text", "AI objective", "Objective description", "Statement"),
                example="Keep the credit model's AUC at 0.80 or above",
            ),
            FieldSpec(
                name="measure",
                aliases=("Measure", "Metric", "KPI", "Indicator", "Measured by", "Monitoring metric"),
                description="a monitoring metric name, or manual",
                example="roc_auc",
            ),
            FieldSpec(
                name="target",
                kind="number",
                aliases=("Target", "Target value", "Goal"),
                example="0.8",
            ),
            FieldSpec(
                name="direction",
                kind="enum",
                vocabulary="direction",
                aliases=(
                    "Direction",
                    "Target direction",
                    "Goal direction",
                    "Comparison",
                    "Operator",
                    "Better",
                ),
                description="at_least (>=, min, higher is better) or at_most (<=, max, lower is better)",
                example=">=",
            ),
            FieldSpec(name="unit", aliases=("Unit", "Units", "Unit of measure", "UoM"), example="ratio"),
            FieldSpec(
                name="owner", aliases=("Owner", "Objective owner", "Responsible"), example="Head of ML"
            ),
            FieldSpec(
                name="due_date",
                kind="date",
                aliases=("Due date", "Due", "Target date", "Deadline", "Achieve by", "By when"),
                example="2026-12-31",
            ),
            FieldSpec(
                name="current_value",
                kind="number",
                aliases=(
                    "Current value",
                    "Current",
                    "Actual",
                    "Actual value",
                    "Measured value",
                    "Latest value",
                ),
                description="the value now, for a manual measure",
            ),
            FieldSpec(name="ai_system", aliases=SYSTEM_ALIASES, example="Credit scoring model"),
        ),
    )
)

STORE_KEY = ("objective_id",)


def check(con: duckdb.DuckDBPyConnection, typed: str, ctx: Reporter) -> list[Message]:
    """Rules of the objectives across columns and rows.

    - an objective id twice in one file is a problem (`duplicate_key`);
    - a target without a direction is a problem (`missing_direction`): whether it is met cannot be told;
    - an AI-system name the inventory does not know is a warning (`unknown_system`).

    Leaves `<typed>_store`: one row per file row, with exactly the columns of the `objectives` table.
    """
    out = duplicate_keys(con, typed, ["objective_id"], "objective_id", ctx)
    for row, target in con.execute(
        f"select row_no, target__raw from {typed} where target is not null and direction__raw is null order by row_no"
    ).fetchall():
        out.append(
            ctx.problem(
                "missing_direction",
                row,
                ctx.header("direction") or "direction",
                target,
                "a direction for the target: at least (>=) or at most (<=)",
            )
        )
    out += unknown_systems(con, typed, "ai_system", ctx)
    con.execute(f"create or replace temp table {typed}_store as " + STORE_SQL.format(typed=typed))
    return out


STORE_SQL = (
    """
select row_no, objective_id, objective,
       case when measure is null or lower(trim(measure)) = 'manual' then 'manual' else measure end as measure,
       target, direction, direction__raw as direction_raw, unit, owner, due_date, current_value,
       ai_system, """
    + name_key("ai_system")
    + """ as ai_system_key
from {typed}
"""
)
