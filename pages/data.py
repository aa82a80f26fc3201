"""Data: upload files, see how each was understood before committing, the import history, removals."""

from __future__ import annotations

import datetime as dt
import json

import streamlit as st

from metrics.imports import import_log, import_messages
from metrics.settings import parse_setting, settings_at, settings_history
from ui import actions, tables
from ui.data import metric

st.title("Data")
st.caption(
    "Load the files your AIMS keeps. Each file loads whole or not at all, and is recorded in the import log."
)

st.subheader("Upload files")
with st.form("upload_form", clear_on_submit=False, border=True):
    files = st.file_uploader(
        "Workbooks (.xlsx, .xlsm, .xls, .ods), CSV files, or monitoring reports (.json)",
        type=["xlsx", "xlsm", "xls", "ods", "csv", "tsv", "txt", "json", "yaml", "yml"],
        accept_multiple_files=True,
        key="upload_files",
    )
    c1, c2, c3, c4 = st.columns(4)
    dataset = c1.selectbox(
        "Dataset", ["(recognise from headers)", *sorted(actions.CONTRACTS)], key="upload_dataset"
    )
    as_of = c2.date_input(
        "As of", value=None, key="upload_as_of", help="Blank: from the file, its name, or today."
    )
    scope = c3.text_input("Scope", value="organisation", key="upload_scope")
    order = c4.selectbox(
        "Ambiguous dates", ["decide from the data", "day-first", "month-first"], key="upload_order"
    )
    m1, m2 = st.columns(2)
    system = m1.text_input(
        "AI system (monitoring exports that do not name it)",
        key="upload_system",
        help="Evidently, NannyML, MLflow and whylogs exports often carry no model name.",
    )
    model_version = m2.text_input("Model version (optional)", key="upload_model_version")
    checked = st.form_submit_button("Check files", type="primary", icon=":material/fact_check:")

options = {
    "dataset": None if dataset.startswith("(") else dataset,
    "as_of": as_of,
    "scope": scope,
    "dayfirst": {"day-first": True, "month-first": False}.get(order),
    "system": system.strip() or None,
    "model_version": model_version.strip() or None,
}
uploads = [actions.Upload(f.name, f.getvalue()) for f in files or []]

if checked and not uploads:
    st.warning("Choose one or more files first.")
if checked and uploads:
    st.session_state["upload_checked"] = (uploads, options, actions.check_uploads(uploads, **options))

if state := st.session_state.get("upload_checked"):
    uploads_checked, options_checked, results = state
    for result in results:
        tables.load_result(result)
    good = [u for u, r in zip(uploads_checked, results, strict=True) if not r.problems]
    if good:
        user = st.text_input("Loaded by", value=actions.user_name(), key="upload_user")
        if st.button(f"Load {len(good)} file(s) without problems", type="primary", icon=":material/upload:"):
            bar = st.progress(0.0, text="Loading…")
            done = actions.load_uploads(
                good,
                user=user,
                progress=lambda i, n, name: bar.progress(i / n, text=f"Loading {name}…"),
                **options_checked,
            )
            bar.progress(1.0, text="Done")
            st.session_state.pop("upload_checked", None)
            st.session_state["upload_done"] = [
                (r.file, r.outcome, sum(i.rows for i in r.imports)) for r in done
            ]
            st.rerun()
    else:
        st.error("No file can be loaded as it stands: fix the problems listed above and upload it again.")

for name, outcome, rows in st.session_state.pop("upload_done", []):
    st.success(f"{name}: {outcome} ({rows:,} rows)", icon=":material/check_circle:")

st.subheader("Import history")
log = metric(import_log)
if log.empty:
    st.info("Nothing has been imported yet.")
else:
    st.dataframe(log, hide_index=True, key="import_log", column_config=tables.IMPORT_LOG_COLUMNS)
    with st.expander("Problems and warnings of an import"):
        chosen = st.selectbox("Import", log["import_id"].tolist(), key="messages_of")
        st.dataframe(metric(import_messages, import_id=int(chosen)), hide_index=True)
    loaded = log[log["outcome"] == "loaded"]["import_id"].tolist()
    if loaded:
        target = st.selectbox(
            "Remove an import", loaded, key="remove_id", index=None, placeholder="Choose an import"
        )
        if target is not None and st.button("Remove…", icon=":material/delete:"):
            st.session_state["confirm_remove"] = int(target)


@st.dialog("Remove import")
def _confirm(import_id: int) -> None:
    row = log[log["import_id"] == import_id].iloc[0]
    st.write(f"Remove import {import_id}: {row['dataset']} from the file below ({row['rows']} rows)?")
    st.code(str(row["file_name"]), language=None)
    st.caption("What it replaced comes back. The import stays in the history, marked removed.")
    if st.button("Remove", type="primary", key="confirm_remove_button"):
        try:
            done = actions.remove(import_id, user=actions.user_name())
            st.session_state["removed"] = (
                f"Removed import {done['import_id']}: {done['rows_removed']:,} rows."
            )
        except actions.RemoveError as exc:
            st.session_state["removed"] = str(exc)
        st.session_state.pop("confirm_remove", None)
        st.rerun()


if (pending := st.session_state.get("confirm_remove")) is not None:
    _confirm(pending)
if note := st.session_state.pop("removed", None):
    st.toast(note)

st.subheader("Templates")
st.caption(
    "A blank workbook per dataset: the accepted headers, an example row, drop-down lists for every "
    "vocabulary and an instructions sheet."
)
template_cols = st.columns(4)
for i, name in enumerate(sorted(actions.CONTRACTS)):
    template_cols[i % 4].download_button(
        f"{actions.CONTRACTS[name].title}",
        data=lambda name=name: actions.template(name),
        file_name=f"template_{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key=f"template_{name}",
        use_container_width=True,
    )

st.subheader("Settings")
st.caption(
    "Targets, risk bands and appetite, the evidence age limit and the links from monitoring metrics to "
    "the controls they evidence. Every change is kept: a past quarter is computed with the settings of its "
    "day."
)
in_force = metric(settings_at, as_of=dt.date.today())
with st.form("settings_form"):
    c1, c2, c3 = st.columns(3)
    values = {
        "implementation_rate_target": c1.number_input(
            "Annex A implementation rate target",
            0.0,
            1.0,
            in_force.implementation_rate_target,
            0.05,
            key="set_rate",
        ),
        "weighted_score_target": c2.number_input(
            "Annex A weighted score target",
            0.0,
            1.0,
            in_force.weighted_score_target,
            0.05,
            key="set_weighted",
        ),
        "clause_rate_target": c3.number_input(
            "Clause implementation rate target", 0.0, 1.0, in_force.clause_rate_target, 0.05, key="set_clause"
        ),
        "evidence_age_months": c1.number_input(
            "Evidence age limit (months)", 1, 120, in_force.evidence_age_months, key="set_age"
        ),
        "risk_appetite": c2.number_input(
            "Risk appetite (highest residual score accepted)",
            1,
            25,
            in_force.risk_appetite,
            key="set_appetite",
        ),
    }
    bands = st.text_input(
        "Risk bands (score ranges, JSON)", json.dumps(in_force.risk_bands), key="settings_bands"
    )
    links = st.text_area(
        "Metric → control links (JSON)",
        json.dumps(in_force.metric_control_links, indent=1),
        key="settings_links",
    )
    c1, c2, c3 = st.columns(3)
    valid_from = c1.date_input("In force from", value=dt.date.today(), key="settings_from")
    note = c2.text_input("Why (kept in the history)", key="settings_note")
    who = c3.text_input("Changed by", value=actions.user_name(), key="settings_user")
    saved = st.form_submit_button("Save settings", icon=":material/save:")
if saved:
    texts = {k: json.dumps(v) for k, v in values.items()} | {
        "risk_bands": bands,
        "metric_control_links": links,
    }
    try:
        parsed = {k: parse_setting(k, t) for k, t in texts.items()}
    except ValueError as exc:
        st.error(str(exc))
    else:
        changed = {k: v for k, v in parsed.items() if v != getattr(in_force, k)}
        for key, value in changed.items():
            actions.save_setting(
                key, value, user=who or actions.user_name(), valid_from=valid_from, note=note or None
            )
        st.success(f"Saved {len(changed)} change(s)." if changed else "Nothing changed.")
with st.expander("Settings history"):
    st.dataframe(metric(settings_history), hide_index=True)
