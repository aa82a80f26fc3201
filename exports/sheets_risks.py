"""The risk register in force and the 5 x 5 heatmaps (inherent and residual), coloured by band with counts."""

from __future__ import annotations

import pandas as pd

from metrics.risks import heatmap, risk_register, risk_summary

from .context import PackContext
from .style import band, words
from .tables import Col, index, status_rules, write_note, write_table

__all__ = ["write_heatmap", "write_register"]

_LIKELIHOOD = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
_IMPACT = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}


def write_register(ctx: PackContext) -> None:
    """One row per risk in the register in force: ratings, bands, appetite, treatment, review, source."""
    sheet = ctx.sheet("Risk register", title="Risk register")
    frame = risk_register(ctx.con, as_of=ctx.as_of, **ctx.filters)
    appetite = ctx.settings.risk_appetite
    if not frame.empty:
        frame = frame.assign(
            appetite_state=frame["above_appetite"].map(
                lambda a: "above_appetite" if a else "within_appetite"
            ),
            review_state=frame["overdue_review"].map(lambda o: "overdue" if o else None),
            source=[
                f"{f} · {s} · row {r}"
                for f, s, r in zip(frame["file_name"], frame["sheet"], frame["row_no"], strict=True)
            ],
            system=frame["system_name"].fillna(frame["ai_system"]),
            inherent_cell=[
                f"{lk} × {im}" for lk, im in zip(frame["likelihood"], frame["impact"], strict=True)
            ],
            residual_cell=[
                None if pd.isna(lk) else f"{int(lk)} × {int(im)}"
                for lk, im in zip(frame["residual_likelihood"], frame["residual_impact"], strict=True)
            ],
        )
    note = (
        "Score = likelihood × impact (1-25). Bands: "
        + ", ".join(f"{b} {lo}-{hi}" for b, (lo, hi) in ctx.settings.risk_bands.items())
        + f". Appetite: rated score (residual, else inherent) up to {appetite}."
    )
    columns = [
        Col("risk_id", "Risk", width=7),
        Col("title", "Title", "wrap", 32),
        Col("system", "AI system", "wrap", 15),
        Col("category", "Category", "wrap", 13),
        Col("inherent_cell", "L × I", width=6),
        Col("score", "Score", "int", 6),
        Col("band", "Band", "status", 9, convert=band),
        Col("residual_cell", "Residual L × I", width=8),
        Col("residual_score", "Residual score", "int", 8),
        Col("residual_band", "Residual band", "status", 9, convert=band),
        Col("appetite_state", "Appetite", "status", 16),
        Col("treatment", "Treatment", width=10),
        Col("status", "Status", width=11, convert=words),
        Col("owner", "Owner", "wrap", 16),
        Col("next_review", "Next review", "date", 10.5),
        Col("review_state", "Review", "status", 10),
        Col("linked_controls", "Linked controls", "list", 16),
        Col("source", "Source (file · sheet · row)", "wrap", 24),
    ]
    last = write_table(
        sheet, ctx.styles, frame, columns, top=4, note=note, empty="No risk register is in force."
    )
    bands = [f"band_{b}" for b in ("low", "medium", "high", "critical")]
    for key in ("band", "residual_band"):
        status_rules(sheet, ctx.styles, 5, last, index(columns, key), bands)
    status_rules(
        sheet, ctx.styles, 5, last, index(columns, "appetite_state"), ["above_appetite", "within_appetite"]
    )
    status_rules(sheet, ctx.styles, 5, last, index(columns, "review_state"), ["overdue"])


def _grid(ctx: PackContext, top: int, left: int, rating: str) -> None:
    sheet, s = ctx.book.get_worksheet_by_name("Risk heatmap"), ctx.styles
    cells = heatmap(ctx.con, as_of=ctx.as_of, rating=rating, **ctx.filters)
    sheet.write_string(top, left, f"{rating.capitalize()} rating", s.section)
    sheet.write_string(top + 1, left, "Likelihood ↓ / impact →", s.note)
    for i in range(1, 6):
        sheet.write_string(top + 1, left + i, f"{i} {_IMPACT[i]}", s.header)
    for record in cells.to_dict("records"):
        r = top + 2 + (5 - int(record["likelihood"]))
        c = left + int(record["impact"])
        sheet.write_number(r, c, int(record["count"]), s.band_cell(record["band"]))
        if record["risk_ids"]:
            sheet.write_comment(
                r,
                c,
                f"Score {record['score']} ({record['band']}): " + ", ".join(record["risk_ids"]),
                {"x_scale": 1.6},
            )
    for likelihood in range(1, 6):
        sheet.write_string(
            top + 2 + (5 - likelihood), left, f"{likelihood} {_LIKELIHOOD[likelihood]}", s.header
        )
        sheet.set_row(top + 2 + (5 - likelihood), 34)


def write_heatmap(ctx: PackContext) -> None:
    """Two 5 x 5 grids side by side; each cell holds its count and its band's name, coloured by band."""
    sheet = ctx.sheet("Risk heatmap", title="Risk heatmap")
    summary = risk_summary(ctx.con, as_of=ctx.as_of, **ctx.filters)
    note = (
        f"{summary.total} risks in force. Each cell: the number of risks rated there and its band "
        f"(score = likelihood × impact). Residual grid: {summary.total - summary.unrated_residual} risks with "
        f"a residual rating ({summary.unrated_residual} without). Cell notes list the risk ids."
    )
    widths = [20, 14, 14, 14, 14, 14, 4, 20, 14, 14, 14, 14, 14]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    write_note(sheet, ctx.styles, 3, note, 0, len(widths) - 1, sum(widths))
    _grid(ctx, 5, 0, "inherent")
    _grid(ctx, 5, 7, "residual")
    legend = 14
    s = ctx.styles
    sheet.write_string(legend, 0, "Bands (setting risk_bands)", s.section)
    sheet.write_string(legend + 1, 0, "Band", s.header)
    sheet.write_string(legend + 1, 1, "Scores", s.header)
    sheet.write_string(legend + 1, 2, "Inherent", s.header)
    sheet.write_string(legend + 1, 3, "Residual", s.header)
    for i, (name, (lo, hi)) in enumerate(sorted(ctx.settings.risk_bands.items(), key=lambda b: b[1][0])):
        row = legend + 2 + i
        sheet.write_string(row, 0, name, s.text)
        sheet.write_string(row, 1, f"{lo}-{hi}", s.text)
        sheet.write_number(row, 2, summary.by_band_inherent.get(name, 0), s.band_cell(name))
        sheet.write_number(row, 3, summary.by_band_residual.get(name, 0), s.band_cell(name))
    sheet.freeze_panes(4, 0)
