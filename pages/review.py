"""Management review: the 9.3.2 inputs in meeting order, a presentation mode for the room, the meeting's
decisions and actions (9.3.3), and the quarterly pack."""

from __future__ import annotations

import streamlit as st

from metrics.filters import filter_options
from metrics.review import ReviewSection, review_summary
from metrics.review_records import review_records
from ui import actions
from ui.data import metric
from ui.figures import show_figures
from ui.filters import current

f = current()
if not metric(filter_options).has_data or f.quarter is None:
    st.title("Management review")
    st.info("No data is loaded yet: load the demo (`aims demo`) or your files on the Data page.")
    st.stop()

AGENDA = {"a": "a)", "bc": "b, c)", "d1": "d) 1.", "d2": "d) 2.", "d3": "d) 3.", "e": "e)"}
review = metric(review_summary, quarter=f.quarter, scope=f.scope, system=f.system, unit=f.unit)
sections = review.sections


def _section(section: ReviewSection, *, big: bool = False) -> None:
    st.markdown(f"{'##' if big else '###'} {AGENDA.get(section.code, section.code)} {section.title}")
    if section.note:
        st.caption(section.note)
    show_figures(section.figures, columns=3 if big else 4)
    if section.items and not big:
        with st.expander(f"The rows behind it ({len(section.items)})"):
            st.dataframe(section.items, hide_index=True)
    elif section.items:
        st.dataframe(section.items[:12], hide_index=True)


head, toggle = st.columns([3, 1], vertical_alignment="bottom")
head.title(f"Management review — {f.quarter}")
presenting = toggle.toggle(
    "Presentation mode", key="presenting", help="Large type, one agenda item at a time."
)
st.caption(
    f"ISO/IEC 42001 9.3.2 inputs as of {review.as_of:%d %B %Y}, compared with {review.previous_quarter}."
)

if presenting:
    index = min(st.session_state.get("agenda_item", 0), len(sections) - 1)
    st.progress((index + 1) / len(sections), text=f"Agenda item {index + 1} of {len(sections)}")
    _section(sections[index], big=True)
    back, _, forward = st.columns([1, 4, 1])
    if back.button("◀ Previous", disabled=index == 0, use_container_width=True, key="agenda_previous"):
        st.session_state["agenda_item"] = index - 1
        st.rerun()
    if forward.button(
        "Next ▶", disabled=index == len(sections) - 1, use_container_width=True, key="agenda_next"
    ):
        st.session_state["agenda_item"] = index + 1
        st.rerun()
    st.stop()

for section in sections:
    with st.container(border=True):
        _section(section)

st.header("Decisions and actions of this review (9.3.3)")
records = metric(review_records, quarter=f.quarter)
if records.empty:
    st.caption(
        "Nothing recorded yet for this quarter's review. Actions recorded here appear next quarter "
        "under a) status of actions from previous reviews."
    )
else:
    st.dataframe(records, hide_index=True, key="review_records")
with st.form("record_form", clear_on_submit=True):
    kind = st.segmented_control("Record a", ["decision", "action"], default="action", key="record_kind")
    text = st.text_area("Decision or action", key="record_text", max_chars=2000)
    c1, c2, c3 = st.columns(3)
    owner = c1.text_input("Owner", key="record_owner")
    due = c2.date_input("Due date (actions)", value=None, key="record_due")
    user = c3.text_input("Recorded by", value=actions.user_name(), key="record_user")
    if st.form_submit_button("Record", type="primary", icon=":material/edit_note:"):
        if not (text or "").strip():
            st.warning("Write the decision or action first.")
        else:
            actions.record_review(
                quarter=f.quarter,
                kind=kind or "action",
                text=text,
                owner=owner or None,
                due_date=due if kind == "action" else None,
                user=user or actions.user_name(),
            )
            st.toast("Recorded.")
            st.rerun()
open_actions = (
    records[(records["kind"] == "action") & (records["status"] != "closed")] if not records.empty else records
)
if not open_actions.empty:
    c1, c2, c3 = st.columns([3, 1, 1])
    chosen = c1.selectbox(
        "Update an action",
        open_actions["record_key"].tolist(),
        key="update_key",
        format_func=lambda k: str(open_actions.set_index("record_key").loc[k, "text"])[:80],
    )
    status = c2.selectbox("New status", ["in_progress", "closed"], key="update_status")
    if c3.button("Update", key="update_button"):
        actions.update_action(int(chosen), status=status, user=actions.user_name())
        st.rerun()

st.header("Quarterly pack")
st.download_button(
    "Download the quarterly pack (Excel)",
    data=lambda: actions.pack_bytes(quarter=f.quarter, scope=f.scope, system=f.system, unit=f.unit),
    file_name=f"aims-pack-{f.quarter}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    type="primary",
    key="download_pack",
)
st.caption(
    "The same workbook as `aims export`: built from the figures on these pages, with every source file."
)
