"""One row per measured point: model-monitoring points (record dataset `monitoring`).

A point is keyed by timestamp, AI system, model version, metric and feature or segment (the last two
optional). Thresholds come as a lower and/or an upper bound, or as one threshold with its direction
(min / at least -> lower bound; max / at most -> upper bound). A tool's own verdict is kept beside ours.
"""

from __future__ import annotations

import duckdb

from ..contracts import Contract, FieldSpec, register
from ..messages import Message
from ._common import SYSTEM_ALIASES, Reporter, duplicate_keys, name_key, unknown_systems

CONTRACT = register(
    Contract(
        dataset="monitoring",
        title="Model-monitoring points",
        semantics="record",
        key=("observed_at", "ai_system", "model_version", "metric", "feature"),
        fields=(
            FieldSpec(
                name="observed_at",
                kind="datetime",
                required=True,
                aliases=(
                    "Timestamp",
                    "Time",
                    "Date",
                    "Datetime",
                    "Date/time",
                    "Observed at",
                    "Measured at",
                    "Run date",
                    "Run time",
                    "Evaluated at",
                    "start_time",
                ),
                description="a date or date-time (ISO 8601, DD/MM/YYYY HH:MM, epoch milliseconds)",
                example="2026-09-30T06:00:00",
            ),
            FieldSpec(
                name="ai_system",
                required=True,
                aliases=SYSTEM_ALIASES,
                example="Credit scoring model",
            ),
            FieldSpec(
                name="model_version",
                aliases=("Model version", "Version", "model_version", "Model ver"),
                example="3.2",
            ),
            FieldSpec(
                name="metric",
                required=True,
                aliases=("Metric", "Metric name", "metric_name", "Measure", "Indicator", "KPI", "key"),
                example="roc_auc",
            ),
            FieldSpec(
                name="feature",
                aliases=(
                    "Feature",
                    "Segment",
                    "Feature or segment",
                    "Feature name",
                    "Column",
                    "column_name",
                    "Slice",
                ),
                example="income",
            ),
            FieldSpec(
                name="value",
                kind="number",
                required=True,
                aliases=("Value", "Metric value", "Score", "Result"),
                example="0.83",
            ),
            FieldSpec(
                name="lower_threshold",
                kind="number",
                aliases=(
                    "Lower threshold",
                    "Lower bound",
                    "Lower limit",
                    "lower_threshold",
                    "Min threshold",
                    "LCL",
                ),
                example="0.8",
            ),
            FieldSpec(
                name="upper_threshold",
                kind="number",
                aliases=(
                    "Upper threshold",
                    "Upper bound",
                    "Upper limit",
                    "upper_threshold",
                    "Max threshold",
                    "UCL",
                ),
            ),
            FieldSpec(
                name="threshold",
                kind="number",
                aliases=("Threshold", "Threshold value"),
                description="one threshold, with its direction in threshold_direction",
            ),
            FieldSpec(
                name="threshold_direction",
                kind="enum",
                vocabulary="direction",
                code="unknown_direction",
                aliases=("Threshold direction", "threshold_direction", "Direction"),
                description="min / at least (a lower bound) or max / at most (an upper bound)",
            ),
            FieldSpec(
                name="verdict",
                kind="enum",
                vocabulary="verdict",
                aliases=("Verdict", "Test status", "Status", "Test result", "Outcome"),
                description="the tool's own verdict: pass, fail, warning, error",
                example="SUCCESS",
            ),
            FieldSpec(name="test_name", aliases=("Test name", "Test", "Check", "Check name", "Test id")),
        ),
    )
)

STORE_KEY = ("observed_at", "ai_system_key", "model_version", "metric", "feature")


def check(con: duckdb.DuckDBPyConnection, typed: str, ctx: Reporter) -> list[Message]:
    """Rules of a monitoring series across columns and rows.

    - a point (timestamp, system, version, metric, feature) twice in one file is a problem
      (`duplicate_key`);
    - a single threshold without its direction is a problem (`missing_direction`);
    - a lower threshold above the upper one is a problem (`lower_above_upper`);
    - an AI-system name the inventory does not know is a warning (`unknown_system`).

    Leaves `<typed>_store`: one row per file row, with exactly the columns of the `monitoring` table.
    """
    key = ["observed_at", name_key("ai_system"), "model_version", "metric", "feature"]
    out = duplicate_keys(con, typed, key, "metric", ctx)
    for row, value in con.execute(
        f"select row_no, threshold__raw from {typed} where threshold is not null "
        "and threshold_direction__raw is null order by row_no"
    ).fetchall():
        out.append(
            ctx.problem(
                "missing_direction",
                row,
                ctx.header("threshold_direction") or "threshold_direction",
                value,
                "the threshold's direction: min (a lower bound) or max (an upper bound)",
            )
        )
    con.execute(f"create or replace temp table {typed}_bounds as " + BOUNDS_SQL.format(typed=typed))
    for row, lower, upper in con.execute(
        f"select row_no, lower_bound, upper_bound from {typed}_bounds "
        "where lower_bound > upper_bound order by row_no"
    ).fetchall():
        out.append(
            ctx.problem(
                "lower_above_upper",
                row,
                ctx.header("lower_threshold") or ctx.header("threshold"),
                f"{lower} > {upper}",
                "a lower threshold at or below the upper threshold",
            )
        )
    out += unknown_systems(con, typed, "ai_system", ctx)
    con.execute(f"create or replace temp table {typed}_store as " + STORE_SQL.format(typed=typed))
    return out


BOUNDS_SQL = """
select *,
       coalesce(lower_threshold, case when threshold_direction = 'at_least' then threshold end)
           as lower_bound,
       coalesce(upper_threshold, case when threshold_direction = 'at_most' then threshold end)
           as upper_bound
from {typed}
"""

STORE_SQL = (
    """
select row_no, observed_at, ai_system, """
    + name_key("ai_system")
    + """ as ai_system_key, model_version, metric, feature, value,
       lower_bound as lower_threshold, upper_bound as upper_threshold,
       verdict, verdict__raw as verdict_raw, test_name
from {typed}_bounds
"""
)
