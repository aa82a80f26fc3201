"""Table renderers shared by pages: import results, the import log. User text goes only into
dataframes and code blocks, never into markdown or HTML."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from loaders.messages import counted
from store.writer import LoadResult

__all__ = ["CHANGE_COLUMNS", "IMPORT_LOG_COLUMNS", "LOADED_COLUMNS", "load_result", "messages_frame"]

CHANGE_COLUMNS = {"area": "Area", "change": "Change", "subject": "What", "detail": "Detail"}
LOADED_COLUMNS = {
    "dataset": "Dataset",
    "imports": st.column_config.NumberColumn("Imports"),
    "rows": st.column_config.NumberColumn("Rows"),
    "latest_as_of": st.column_config.DateColumn("Latest as of"),
    "last_loaded_at": st.column_config.DatetimeColumn("Last loaded"),
    "files": "Files",
}

IMPORT_LOG_COLUMNS = {
    "import_id": st.column_config.NumberColumn("Import", format="%d"),
    "dataset": "Dataset",
    "file_name": "File",
    "sheet": "Sheet",
    "as_of": st.column_config.DateColumn("As of"),
    "as_of_source": "As of from",
    "scope": "Scope",
    "rows": st.column_config.NumberColumn("Rows"),
    "problems": st.column_config.NumberColumn("Problems"),
    "warnings": st.column_config.NumberColumn("Warnings"),
    "outcome": "Outcome",
    "superseded_by": st.column_config.NumberColumn("Superseded by", format="%d"),
    "loaded_at": st.column_config.DatetimeColumn("Loaded at"),
    "loaded_by": "User",
    "removed_at": st.column_config.DatetimeColumn("Removed at"),
    "removed_by": "Removed by",
    "sha256": "SHA-256",
}


def messages_frame(result: LoadResult) -> pd.DataFrame:
    """A file's messages as `aims load` prints them: file-level ones and counts of unlisted rows first,
    then in the order of the file."""
    ordered = sorted(result.messages, key=lambda m: (m.row is not None, m.sheet or "", m.row or 0))
    return pd.DataFrame(
        [
            {
                "severity": m.severity,
                "code": m.code,
                "sheet": m.sheet,
                "row": m.row,
                "column": m.column,
                "value": m.value,
                "expected": "; ".join(t for t in (m.expected, m.text) if t),  # and how many more, if counted
            }
            for m in ordered
        ],
        columns=["severity", "code", "sheet", "row", "column", "value", "expected"],
    )


def load_result(result: LoadResult) -> None:
    """How one file was understood (dataset, sheet, header row, as-of, mapping) and its problems."""
    problems = counted(result.problems, "problem")
    with st.container(border=True):
        head = st.columns([3, 1])
        head[0].markdown(f"**{_plain(result.file)}**")
        if problems:
            head[1].error(f"{problems:,} problem(s)", icon=":material/error:")
        else:
            head[1].success("ready to load", icon=":material/check:")
        for sheet in result.plan.sheets if result.plan else []:
            st.caption(
                f"dataset {sheet.dataset} · sheet {_plain(sheet.sheet or '-')} · header row {sheet.header_row} · "
                f"as of {sheet.as_of} ({sheet.as_of_source}) · scope {_plain(sheet.scope)} · {sheet.rows:,} rows"
            )
            with st.expander("How the columns were understood"):
                st.dataframe(
                    pd.DataFrame(
                        {"column in the file": list(sheet.mapping), "field": list(sheet.mapping.values())}
                    ),
                    hide_index=True,
                )
                for name, values in sheet.value_maps.items():
                    st.dataframe(
                        pd.DataFrame({f"{name} in the file": list(values), "read as": list(values.values())}),
                        hide_index=True,
                    )
        if result.messages:
            st.dataframe(messages_frame(result), hide_index=True, key=f"messages_{result.file}")


def _plain(text: str) -> str:
    """Escape markdown so user text shows as typed."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~$" else ch for ch in str(text))
