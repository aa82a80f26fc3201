"""Clause coverage: clauses 4-10 and Annex A objectives, the drill-down to a requirement's source row, the
Statement of Applicability with its gaps, and what changed since the previous quarter."""

from __future__ import annotations

import streamlit as st

from metrics.coverage import clause_summary, coverage_by_group
from metrics.periods import Quarter
from metrics.requirements import requirement_history
from metrics.settings import settings_at
from metrics.views_evaluate import GAPS, control_changes, coverage_headline, requirement_view
from ui import coverage_charts as charts
from ui.data import metric
from ui.figures import show_figures
from ui.filters import current

f = current()
if f.quarter is None or f.as_of is None:
    st.title("Clause coverage")
    st.info(
        "No data is loaded yet: load a Statement of Applicability on the Data page.", icon=":material/info:"
    )
    st.page_link("pages/data.py", label="Go to the Data page", icon=":material/database:")
    st.stop()

st.title(f"Clause coverage — {f.quarter}")
st.caption(f"As of {f.as_of:%d %B %Y} · scope: {charts.plain(f.scope)} · compared with {f.previous}")
if metric(clause_summary, as_of=f.as_of, scope=f.scope).applicable == 0:
    st.info(
        f"No Statement of Applicability is in force on {f.as_of:%Y-%m-%d} for the scope {charts.plain(f.scope)}: "
        "load one on the Data page, or choose a later quarter.",
        icon=":material/info:",
    )
    st.page_link("pages/data.py", label="Go to the Data page", icon=":material/database:")
    st.stop()

RULES = {
    "clauses.implementation_rate": "Implemented ÷ the 32 leaf subclauses of clauses 4-10.",
    "clauses.weighted_score": "(Implemented + 0.5 × partially implemented) ÷ the 32 leaf subclauses.",
    "annex_a.implementation_rate": "Implemented ÷ applicable Annex A controls; a control missing from the SoA "
    "counts as applicable and not assessed.",
    "annex_a.weighted_score": "(Implemented + 0.5 × partially implemented) ÷ applicable Annex A controls.",
    "annex_a.stale_evidence": "Implemented or partially implemented controls whose evidence is missing or older "
    "than the evidence age limit (settings).",
    "annex_a.without_justification": "Controls with no justification in the SoA (6.1.3), missing ones included.",
}
headline = metric(coverage_headline, quarter=f.quarter, scope=f.scope)
show_figures(headline, columns=3, helps=RULES)

st.subheader("Clauses 4-10 and Annex A objectives")
settings = metric(settings_at, as_of=f.as_of)
by_clause = metric(coverage_by_group, as_of=f.as_of, scope=f.scope, level="clause")
by_objective = metric(coverage_by_group, as_of=f.as_of, scope=f.scope, level="objective")
left, right = st.columns(2)
left.plotly_chart(
    charts.group_bars(by_clause, target=settings.clause_rate_target, title="Clauses 4-10"),
    key="clause_bars",
    config={"displayModeBar": False},
)
right.plotly_chart(
    charts.group_bars(by_objective, target=settings.implementation_rate_target, title="Annex A objectives"),
    key="objective_bars",
    config={"displayModeBar": False},
)
for tab, frame, key in zip(
    st.tabs(["Counts per clause", "Counts per Annex A objective"]),
    (by_clause, by_objective),
    ("clause_table", "objective_table"),
    strict=True,
):
    tab.container(key=key).dataframe(
        frame,
        hide_index=True,
        column_config=charts.GROUP_COLUMNS,
        column_order=list(charts.GROUP_COLUMNS),
    )

st.subheader("Drill down: objective → control → history → evidence → source row")
titles = dict(zip(by_objective["id"], by_objective["title"], strict=True))
titles |= dict(zip(by_clause["id"], by_clause["title"], strict=True))
group = st.selectbox(
    "Annex A objective or clause",
    list(titles),
    format_func=lambda g: f"{g} {titles[g]}",
    key="coverage_group",
)
kind = "control" if group.startswith("A.") else "subclause"
members = metric(requirement_view, as_of=f.as_of, scope=f.scope, kind=kind, group=group)
picked = st.dataframe(
    charts.requirement_table(members),
    hide_index=True,
    key=f"coverage_requirements_{group}",
    on_select="rerun",
    selection_mode="single-row",
    column_config=charts.REQUIREMENT_COLUMNS,
    column_order=charts.DRILL_ORDER,
)
chosen_rows = [i for i in picked["selection"]["rows"] if i < len(members)]
if not chosen_rows:
    st.caption("Select a row to see its assessments over time, their evidence and the file, sheet and row.")
else:
    requirement = members.iloc[chosen_rows[0]]
    st.markdown(
        f"**{requirement['id']} {requirement['title']}**: every assessment loaded up to "
        f"{f.as_of:%d %B %Y}, oldest first"
    )
    history = metric(requirement_history, requirement_id=requirement["id"], scope=f.scope, as_of=f.as_of)
    st.container(key="coverage_history").dataframe(
        charts.history_table(history),
        hide_index=True,
        column_config=charts.HISTORY_COLUMNS,
        column_order=list(charts.HISTORY_COLUMNS),
    )

st.subheader("Statement of Applicability")
gaps = st.pills(
    "Show only the controls with any of these gaps",
    GAPS,
    selection_mode="multi",
    format_func=charts.GAP_LABELS.get,
    key="soa_gaps",
)
soa = metric(requirement_view, as_of=f.as_of, scope=f.scope, kind="control", gaps=tuple(gaps or ()))
if soa.empty:
    st.success("No control has these gaps.", icon=":material/check_circle:")
else:
    st.caption(f"{len(soa)} control(s) · file, sheet and row of each entry on the right")
    st.container(key="soa_table").dataframe(
        charts.requirement_table(soa),
        hide_index=True,
        column_config=charts.REQUIREMENT_COLUMNS,
        column_order=charts.SOA_ORDER,
    )
    st.download_button(
        "Download these controls (CSV)",
        data=charts.soa_csv(soa),
        file_name=f"statement_of_applicability_{f.quarter}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="soa_download",
    )

st.subheader(f"Changes since {f.previous}")
if not any(figure.comparison for figure in headline):
    st.info(
        f"No comparison: no Statement of Applicability was in force on {Quarter(f.previous).end:%Y-%m-%d}.",
        icon=":material/info:",
    )
else:
    only = st.toggle("Only regressed and new controls", key="changes_only")
    changes = metric(
        control_changes, quarter=f.quarter, scope=f.scope, changes=("regressed", "new") if only else ()
    )
    if changes.empty:
        st.success("No control regressed and none is new.", icon=":material/check_circle:")
    else:
        st.caption(
            "▼ regressed and ★ new rows are highlighted; objectives compare their implementation rate."
        )
        st.container(key="coverage_changes").dataframe(
            charts.change_table(changes),
            hide_index=True,
            column_config=charts.CHANGE_COLUMNS,
        )

with st.expander("Rows behind the clause figures: file, sheet and row of each subclause"):
    clause_rows = metric(requirement_view, as_of=f.as_of, scope=f.scope, kind="subclause")
    st.container(key="clause_rows").dataframe(
        charts.requirement_table(clause_rows),
        hide_index=True,
        column_config=charts.REQUIREMENT_COLUMNS,
        column_order=charts.CLAUSE_ROWS_ORDER,
    )
