"""Risks: the register in force on a 5 x 5 heatmap (inherent or residual, this quarter beside the last), the
risks of a chosen cell, the top risks, how risks moved, and the gaps: above appetite without treatment and
without a linked control."""

from __future__ import annotations

import streamlit as st

from metrics.periods import Quarter
from metrics.risk_changes import quarter_movement
from metrics.risks import heatmap, risk_movement, risk_register, risk_summary, top_risks
from metrics.settings import settings_at
from metrics.views_evaluate import cell_risks, risk_gaps, risk_headline
from ui import risk_charts as charts
from ui.coverage_charts import plain
from ui.data import metric
from ui.figures import show_figures
from ui.filters import current

f = current()
if f.quarter is None or f.as_of is None:
    st.title("Risks")
    st.info("No data is loaded yet: load a risk register on the Data page.", icon=":material/info:")
    st.page_link("pages/data.py", label="Go to the Data page", icon=":material/database:")
    st.stop()

st.title(f"Risks — {f.quarter}")
narrowed = " · ".join(plain(p) for p in (f.system, f.unit) if p) or "all AI systems"
st.caption(f"As of {f.as_of:%d %B %Y} · {narrowed} · compared with {f.previous}")
if not metric(risk_summary, as_of=f.as_of).sources:
    st.info(
        f"No risk register is in force on {f.as_of:%Y-%m-%d}: load one on the Data page, or choose a later quarter.",
        icon=":material/info:",
    )
    st.page_link("pages/data.py", label="Go to the Data page", icon=":material/database:")
    st.stop()

filters = {"system": f.system, "unit": f.unit}
summary = metric(risk_summary, as_of=f.as_of, **filters)
RULES = {
    "risks.total": "Risks in the register in force at the quarter's end (within the filters).",
    "risks.above_appetite": f"Rated score (residual, else inherent) above the risk appetite ({summary.appetite}).",
    "risks.above_appetite_untreated": "Above appetite and no treatment recorded.",
    "risks.without_linked_control": "Risks that list no Annex A control.",
}
show_figures(metric(risk_headline, quarter=f.quarter, **filters), columns=4, helps=RULES)

st.subheader("Where the risks sit")
c1, c2 = st.columns([2, 1])
rating = c1.segmented_control(
    "Rating",
    list(charts.RATING_LABELS),
    format_func=charts.RATING_LABELS.get,
    default="residual",
    required=True,
    key="risk_rating",
)
compare = c2.toggle(f"Show {f.previous} beside it", value=True, key="risk_compare")
previous_end = Quarter(f.previous).end
left, right = st.columns(2) if compare else (st.container(), None)
with left:
    grid = metric(heatmap, as_of=f.as_of, rating=rating, **filters)
    event = st.plotly_chart(
        charts.heatmap_figure(grid, title=f"{f.quarter} · {rating}"),
        key="risk_heatmap",
        on_select="rerun",
        selection_mode="points",
        config={"displayModeBar": False},
    )
if right is not None:
    with right:
        if metric(risk_summary, as_of=previous_end).sources:
            before = metric(heatmap, as_of=previous_end, rating=rating, **filters)
            st.plotly_chart(
                charts.heatmap_figure(before, title=f"{f.previous} · {rating}"),
                key="risk_heatmap_previous",
                config={"displayModeBar": False, "staticPlot": True},
            )
        else:
            st.info(f"No risk register was in force on {previous_end:%Y-%m-%d}: nothing to compare.")
settings = metric(settings_at, as_of=f.as_of)
st.caption(
    f"Bands (settings on {f.as_of:%Y-%m-%d}), score = likelihood × impact: {plain(charts.band_legend(settings.risk_bands))}"
    + (
        f" · {summary.unrated_residual} risk(s) without a residual rating are not on the residual grid"
        if rating == "residual" and summary.unrated_residual
        else ""
    )
)

cell = charts.selected_cell(event)
if cell is None:
    st.caption("Click a cell of the heatmap to list its risks.")
else:
    likelihood, impact = cell.split("x")
    st.markdown(f"**Risks in the cell likelihood {likelihood} × impact {impact}** ({rating} rating)")
    in_cell = metric(cell_risks, as_of=f.as_of, cell=cell, rating=rating, **filters)
    if in_cell.empty:
        st.info("No risk sits in this cell.")
    else:
        st.container(key="cell_risks").dataframe(
            in_cell,
            hide_index=True,
            column_config=charts.REGISTER_COLUMNS,
            column_order=charts.register_order(rating),
        )

st.subheader("Top risks")
st.container(key="top_risks").dataframe(
    metric(top_risks, as_of=f.as_of, n=10, **filters),
    hide_index=True,
    column_config=charts.REGISTER_COLUMNS,
    column_order=charts.TOP_ORDER,
)

st.subheader("How the risks moved")
treated, since = st.tabs(["Inherent → residual (treatment)", f"Since {f.previous}"])
treated.container(key="risk_movement").dataframe(
    charts.movement_table(metric(risk_movement, as_of=f.as_of, **filters)),
    hide_index=True,
    column_config=charts.MOVEMENT_COLUMNS,
    column_order=charts.MOVEMENT_ORDER,
)
since.container(key="quarter_movement").dataframe(
    charts.quarter_movement_table(metric(quarter_movement, quarter=f.quarter, **filters)),
    hide_index=True,
    column_config=charts.MOVEMENT_COLUMNS,
    column_order=charts.QUARTER_MOVEMENT_ORDER,
)

st.subheader("Gaps")
GAPS = {
    "untreated_above_appetite": f"Above appetite ({summary.appetite}) without treatment",
    "without_linked_control": "Without a linked control",
}
for column, (gap, title) in zip(st.columns(2), GAPS.items(), strict=True):
    column.markdown(f"**{title}**")
    rows = metric(risk_gaps, as_of=f.as_of, gap=gap, **filters)
    if rows.empty:
        column.success("None.", icon=":material/check_circle:")
    else:
        column.container(key=f"gap_{gap}").dataframe(
            rows,
            hide_index=True,
            column_config=charts.REGISTER_COLUMNS,
            column_order=charts.GAP_ORDER,
        )

with st.expander("Rows behind these figures: the register in force, with file, sheet and row"):
    st.container(key="risk_register").dataframe(
        metric(risk_register, as_of=f.as_of, **filters),
        hide_index=True,
        column_config=charts.REGISTER_COLUMNS,
        column_order=charts.REGISTER_ORDER,
    )
