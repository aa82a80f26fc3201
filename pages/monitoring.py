"""Model monitoring: the health of every series, one series against its thresholds, the quarter's breaches,
where the tool's verdict and ours disagree, the AI objectives, and the controls monitoring evidences."""

from __future__ import annotations

import streamlit as st

from metrics.monitoring import (
    breach_episodes,
    control_evidence,
    health_matrix,
    monitoring_summary,
    series_points,
)
from metrics.objectives import objectives_status
from metrics.periods import Quarter
from metrics.review import data_coverage
from ui import incident_charts as ic
from ui import monitoring_charts as mc
from ui.data import metric
from ui.figures import show_figures
from ui.filters import current

CHART = {"displayModeBar": False}
INFO, GOOD = ":material/info:", ":material/check_circle:"

f = current()
st.title(f"Model monitoring — {f.quarter or 'no data'}")
if f.as_of is None:
    st.info("No monitoring results are loaded: load a monitoring export on the Data page.", icon=INFO)
    st.stop()
st.caption(f"As of {f.as_of:%d %B %Y} · filters: {ic.plain(f.label)}")
quarter = Quarter(f.quarter)
scope = {"system": f.system, "unit": f.unit}
health = metric(health_matrix, as_of=f.as_of, **scope)

if not metric(data_coverage, as_of=f.as_of)["monitoring"]:
    st.info("No monitoring results are loaded: load a monitoring export on the Data page.", icon=INFO)
elif health.empty:
    st.info("No monitored series matches these filters.", icon=INFO)
else:
    now = metric(monitoring_summary, quarter=f.quarter, **scope)
    before = metric(monitoring_summary, quarter=f.previous, **scope)
    comparable = metric(data_coverage, as_of=quarter.previous().end)["monitoring"]
    show_figures(
        mc.headline(now, before, comparable=comparable),
        helps={
            "breach_points": "Points observed in the quarter whose value is outside a threshold.",
            "breach_episodes": "Runs of consecutive breaching points of one series with a point in the quarter.",
            "series_breaching_at_latest": "Current model versions whose latest point at the quarter end breaches.",
            "disagreements": "Points in the quarter where the tool's verdict (pass/fail) and ours differ.",
        },
    )
    st.caption(f"{now.points:,} points in the quarter · {now.series} series (current model versions).")

    st.subheader("Health: AI system × metric")
    st.plotly_chart(mc.health_heatmap(health), key="health_matrix", config=CHART)
    st.caption("Latest point of each current series at the quarter end: ✔ ok · ✖ breach · – no threshold.")
    with st.expander("Every series, superseded model versions included"):
        ic.table(mc.health_table(health), mc.HEALTH_COLUMNS, key="health_rows")
        ic.download_csv(
            health, label="Health matrix (CSV)", file_name=f"health_{f.quarter}.csv", key="dl_health"
        )

    st.subheader("A series against its thresholds")
    first = mc.default_series(health)
    c1, c2, c3 = st.columns(3)
    with c1:
        system = mc.pick("System", mc.series_options(health), key="series_system", default=first[0])
    with c2:
        options = mc.series_options(health, system=system)
        name = mc.pick("Metric", options, key="series_metric", default=first[1])
    with c3:
        options = mc.series_options(health, system=system, metric=name)
        feature = mc.pick("Feature", options, key="series_feature", default=first[2])
    feature = None if feature == mc.NO_FEATURE else feature
    points = metric(
        series_points, system=system, metric=name, feature=feature, start=quarter.start, end=quarter.end
    )
    if points.empty:
        st.info("This series has no point in the quarter.", icon=INFO)
    else:
        title = " · ".join(p for p in (system, name, feature) if p)
        st.plotly_chart(mc.series_chart(points, title=title), key="series_chart", config=CHART)
        st.caption(
            "Long series are averaged per time bucket in the database; the band shows each bucket's range."
        )

    st.subheader("Breaches this quarter")
    episodes = metric(breach_episodes, start=quarter.start, end=quarter.end, **scope)
    if episodes.empty:
        st.info("No breach episode in this quarter.", icon=GOOD)
    else:
        ic.table(mc.episodes_table(episodes), mc.EPISODE_COLUMNS, key="episodes")
        ic.download_csv(
            episodes, label="Breach episodes (CSV)", file_name=f"breaches_{f.quarter}.csv", key="dl_breaches"
        )

    st.subheader("The tool's verdict against ours")
    if mc.disagreeing(health).empty:
        st.info(
            "At the latest point of every series the tool agrees with us, or gives no verdict.", icon=GOOD
        )
    else:
        ic.table(mc.health_table(mc.disagreeing(health)), mc.HEALTH_COLUMNS, key="disagreements")

st.subheader("AI objectives (6.2)")
objectives = metric(objectives_status, as_of=f.as_of, **scope)
if objectives.empty:
    st.info("No AI objectives are loaded: load an objectives file on the Data page.", icon=INFO)
else:
    ic.table(mc.objectives_table(objectives), mc.OBJECTIVE_COLUMNS, key="objectives")
    ic.download_csv(
        objectives, label="Objectives (CSV)", file_name=f"objectives_{f.quarter}.csv", key="dl_objectives"
    )

st.subheader("Controls evidenced by monitoring")
evidence = metric(control_evidence, as_of=f.as_of, **scope)
ic.table(mc.evidence_table(evidence), mc.EVIDENCE_COLUMNS, key="evidence")
st.caption(
    "Links from the setting metric_control_links; '? no data' = a linked metric that no series reports."
)

ic.rows_behind(
    {"Series breaching now": mc.breaching_now(health), "Objectives": objectives},
    key="monitoring_behind",
    columns=mc.HEALTH_COLUMNS | mc.OBJECTIVE_COLUMNS,
)
