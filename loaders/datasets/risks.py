"""One row per risk in the register on its as-of date: the AI risk register (snapshot dataset `risks`).

Likelihood and impact are 1-5 (digits or words); score = likelihood x impact, computed here in SQL and
stored, so the heatmap, the bands and every count use the same number. Residual ratings are optional.
Linked controls are a list in one cell (separated by `,`, `;` or line breaks), each normalised like a
requirement id of the control-status dataset.
"""

from __future__ import annotations

import duckdb

from ..catalog import ensure_catalog
from ..contracts import Contract, FieldSpec, register
from ..messages import Message
from ..validate import requirement_sql
from ._common import SYSTEM_ALIASES, Reporter, duplicate_keys, name_key, unknown_systems

CONTRACT = register(
    Contract(
        dataset="risks",
        title="AI risk register",
        semantics="snapshot",
        key=("risk_id",),
        fields=(
            FieldSpec(
                name="risk_id",
                required=True,
                aliases=("Risk ID", "Risk ref", "Risk reference", "Risk #", "Risk no", "Risk number"),
                example="R-014",
            ),
            FieldSpec(
                name="title",
                aliases=("Risk title", "Title", "Risk", "Risk name", "Risk description", "Description"),
                example="Drift in credit scores after a rate change",
            ),
            FieldSpec(name="ai_system", aliases=SYSTEM_ALIASES, example="Credit scoring model"),
            FieldSpec(
                name="category", aliases=("Category", "Risk category", "Risk type", "Type"), example="Bias"
            ),
            FieldSpec(
                name="likelihood",
                kind="enum",
                vocabulary="likelihood",
                required=True,
                aliases=("Likelihood", "Inherent likelihood", "Probability", "Likelihood rating", "L"),
                description="1-5 or Rare, Unlikely, Possible, Likely, Almost certain",
                example="Likely",
            ),
            FieldSpec(
                name="impact",
                kind="enum",
                vocabulary="impact",
                required=True,
                aliases=("Impact", "Inherent impact", "Consequence", "Severity", "Impact rating", "I"),
                description="1-5 or Negligible, Minor, Moderate, Major, Severe",
                example="Major",
            ),
            FieldSpec(
                name="residual_likelihood",
                kind="enum",
                vocabulary="likelihood",
                aliases=("Residual likelihood", "Residual probability", "Residual L"),
                example="Unlikely",
            ),
            FieldSpec(
                name="residual_impact",
                kind="enum",
                vocabulary="impact",
                aliases=("Residual impact", "Residual consequence", "Residual severity", "Residual I"),
                example="Moderate",
            ),
            FieldSpec(name="owner", aliases=("Risk owner", "Owner"), example="Head of Credit Risk"),
            FieldSpec(
                name="treatment",
                kind="enum",
                vocabulary="treatment",
                aliases=("Treatment", "Risk treatment", "Treatment option", "Treatment decision", "Response"),
                description="mitigate, accept, transfer, avoid",
                example="Mitigate",
            ),
            FieldSpec(
                name="status",
                kind="enum",
                vocabulary="risk_status",
                aliases=("Status", "Risk status"),
                description="open, in_treatment, treated, accepted, closed",
                example="In treatment",
            ),
            FieldSpec(
                name="next_review",
                kind="date",
                aliases=("Next review", "Next review date", "Review date", "Review by", "Due for review"),
                example="2026-12-31",
            ),
            FieldSpec(
                name="linked_controls",
                aliases=(
                    "Linked controls",
                    "Linked Annex A controls",
                    "Annex A controls",
                    "Related controls",
                    "Mitigating controls",
                    "Controls",
                    "Control IDs",
                ),
                description="Annex A control ids, separated by , ; or line breaks",
                example="A.6.2.6; A.6.2.4",
            ),
        ),
    )
)


def check(con: duckdb.DuckDBPyConnection, typed: str, ctx: Reporter) -> list[Message]:
    """Rules of the register across columns and rows.

    - a risk id twice in one file is a problem (`duplicate_key`);
    - every linked control must be a known requirement (`unknown_requirement`, one per id);
    - a residual rating with only one half is a warning (`incomplete_residual`): no residual score;
    - an AI-system name the inventory does not know is a warning (`unknown_system`).

    Leaves `<typed>_store`: one row per file row, with exactly the columns of the `risks` table.
    """
    out = duplicate_keys(con, typed, ["risk_id"], "risk_id", ctx)
    out += _linked_controls(con, typed, ctx)
    for row, value in con.execute(
        f"select row_no, coalesce(residual_likelihood__raw, residual_impact__raw) from {typed} "
        "where (residual_likelihood is null) <> (residual_impact is null) order by row_no"
    ).fetchall():
        out.append(
            ctx.problem(
                "incomplete_residual",
                row,
                ctx.header("residual_likelihood") or ctx.header("residual_impact"),
                value,
                "both residual likelihood and residual impact, or neither",
                severity="warning",
            )
        )
    out += unknown_systems(con, typed, "ai_system", ctx)
    con.execute(f"create or replace temp table {typed}_store as " + STORE_SQL.format(typed=typed))
    return out


def _linked_controls(con: duckdb.DuckDBPyConnection, typed: str, ctx: Reporter) -> list[Message]:
    """Split, normalise and check the linked-control lists; leaves `<typed>_links` (one row per risk)."""
    ensure_catalog(con)
    con.execute(
        f"""create or replace temp table {typed}_items as
            with parts as (
                select row_no, unnest(regexp_split_to_array(linked_controls, '[,;\\n\\r]+')) as item,
                       generate_subscripts(regexp_split_to_array(linked_controls, '[,;\\n\\r]+'), 1) as pos
                from {typed} where linked_controls is not null
            )
            select row_no, pos, trim(item) as item, {requirement_sql("trim(item)")} as requirement_id
            from parts where trim(item) <> ''"""
    )
    con.execute(
        f"""create or replace temp table {typed}_links as
            select row_no, list(requirement_id order by pos) as linked_controls from (
                select * from {typed}_items where requirement_id is not null
                qualify row_number() over (partition by row_no, requirement_id order by pos) = 1
            ) group by row_no"""
    )
    bad = con.execute(
        f"select row_no, item from {typed}_items where requirement_id is null order by row_no, pos"
    ).fetchall()
    return [
        ctx.problem(
            "unknown_requirement",
            row,
            ctx.header("linked_controls"),
            item,
            "ISO/IEC 42001 Annex A control ids (A.2.2 … A.10.4) or subclauses, separated by , or ;",
        )
        for row, item in bad
    ]


STORE_SQL = """
select t.row_no, risk_id, title, ai_system, {key} as ai_system_key, category,
       cast(likelihood as integer) as likelihood, cast(impact as integer) as impact,
       cast(likelihood as integer) * cast(impact as integer) as score,
       likelihood__raw as likelihood_raw, impact__raw as impact_raw,
       cast(residual_likelihood as integer) as residual_likelihood,
       cast(residual_impact as integer) as residual_impact,
       cast(residual_likelihood as integer) * cast(residual_impact as integer) as residual_score,
       owner, treatment, treatment__raw as treatment_raw, status, status__raw as status_raw, next_review,
       coalesce(l.linked_controls, []::varchar[]) as linked_controls
from {{typed}} t left join {{typed}}_links l using (row_no)
""".format(key=name_key("ai_system"))
