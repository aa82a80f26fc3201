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

KEYS = ("quarter", "scope")


@dataclass(frozen=True)
class Filters:
    quarter: str | None
    scope: str

    @property
    def as_of(self) -> dt.date | None:
        return Quarter(self.quarter).end if self.quarter else None


def _seed(key: str, options: list[str], default: str | None) -> None:
    if st.session_state.get(key) in options:
        return
    from_url = st.query_params.get(key)
    st.session_state[key] = from_url if from_url in options else default


def sidebar() -> FilterOptions:
    """Draw the filters and keep the URL in step; returns the options offered."""
    options = metric(filter_options)
    quarters = options.quarters[::-1]  # latest first
    _seed("quarter", quarters, quarters[0] if quarters else None)
    _seed("scope", options.scopes, "organisation")
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
            help="The organisation, or a business unit or AI system with its own assessments.",
        )
    wanted = {k: st.session_state[k] for k in KEYS if st.session_state.get(k)}
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)
    return options


def current() -> Filters:
    return Filters(
        quarter=st.session_state.get("quarter"), scope=st.session_state.get("scope") or "organisation"
    )
