"""The shared sidebar filters, kept in the URL (`?quarter=2026-Q3&scope=...`) so a view can be shared.

Seeded from the URL once per session, then written back on every run (Streamlit drops bound query
parameters on sidebar navigation, so the sync is done by hand).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from metrics.filters import FilterOptions, filter_options
from metrics.periods import Quarter

from .data import metric

__all__ = ["Filters", "current", "sidebar"]

KEYS = ("quarter", "scope", "system", "unit")
ALL = "(all)"
_MEMORY = "filter_"  # plain session keys that outlive the widgets (a page rendered without the frame)


@dataclass(frozen=True)
class Filters:
    quarter: str | None
    scope: str
    system: str | None = None
    unit: str | None = None

    @property
    def previous(self) -> str | None:
        return str(Quarter(self.quarter).previous()) if self.quarter else None

    @property
    def label(self) -> str:
        parts = [self.quarter or "no data", self.scope]
        parts += [p for p in (self.system, self.unit) if p]
        return " · ".join(parts)

    @property
    def as_of(self) -> dt.date | None:
        return Quarter(self.quarter).end if self.quarter else None


def _seed(key: str, options: list[str], default: str | None) -> None:
    """Widget value: kept if valid; else the remembered choice, else the URL (a shared link), else the default."""
    if st.session_state.get(key) in options:
        return
    for candidate in (st.session_state.get(_MEMORY + key), st.query_params.get(key)):
        if candidate in options:
            st.session_state[key] = candidate
            return
    st.session_state[key] = default


def sidebar() -> FilterOptions:
    """Draw the filters and keep the URL in step; returns the options offered."""
    options = metric(filter_options)
    quarters = options.quarters[::-1]  # latest first
    systems, units = [ALL, *options.systems], [ALL, *options.units]
    _seed("quarter", quarters, quarters[0] if quarters else None)
    _seed("scope", options.scopes, "organisation")
    _seed("system", systems, ALL)
    _seed("unit", units, ALL)
    with st.sidebar:
        st.selectbox(
            "Quarter",
            quarters,
            key="quarter",
            help="Figures are as of the quarter's last day.",
            disabled=not quarters,
            placeholder="no data yet",
        )
        st.selectbox(
            "Scope",
            options.scopes,
            key="scope",
            help="Control assessments: the organisation's, or those of a business unit or AI system "
            "loaded with their own scope (they override the organisation's).",
        )
        st.selectbox("AI system", systems, key="system", help="Risks, incidents, monitoring and objectives.")
        st.selectbox("Business unit", units, key="unit", help="Risks, incidents, monitoring and objectives.")
    for key in KEYS:
        st.session_state[_MEMORY + key] = st.session_state.get(key)
    wanted = {k: st.session_state[k] for k in KEYS if st.session_state.get(k) and st.session_state[k] != ALL}
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)
    return options


def frame_guard() -> None:
    """A deep link opened first after the server starts runs its page without app.py: Streamlit still
    treats a folder named `pages/` as a legacy multipage app until some session has called
    st.navigation. Switch the process to st.navigation and rerun, so the frame (filters, navigation)
    always wraps the page. Only on a session's first run: a rerun then loses nothing the user did."""
    from streamlit.runtime.pages_manager import PagesManager

    first_run_of_session = _MEMORY + "quarter" not in st.session_state
    if PagesManager.uses_pages_directory and first_run_of_session:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current() -> Filters:
    """The filters of this run: the sidebar's widgets, else the remembered choices."""
    frame_guard()

    def value(key: str) -> str | None:
        found = st.session_state.get(key)
        return found if found is not None else st.session_state.get(_MEMORY + key)

    def chosen(key: str) -> str | None:
        found = value(key)
        return None if found in (None, ALL) else found

    return Filters(
        quarter=value("quarter"),
        scope=value("scope") or "organisation",
        system=chosen("system"),
        unit=chosen("unit"),
    )
