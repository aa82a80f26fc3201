"""Cached access to `metrics/` for pages.

Connections are short-lived: each uncached metric call opens the database, runs, and closes it, so the
file lock is free between page runs and `aims load` can write while the dashboard is open (DESIGN.md,
"Concurrency"). Results are cached per database file and *data version* (a counter the writer bumps in
every commit), so a new import refreshes every page and two databases never mix.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from store import db
from store.db import DatabaseBusy

__all__ = ["busy_notice", "data_version", "db_file", "ensure_schema", "metric"]

T = TypeVar("T")
_WAIT = 30.0


def db_file() -> str:
    """The database the app reads: `$AIMS_DB`, else data/aims.duckdb."""
    return str(db.db_path())


@st.cache_resource(show_spinner=False)
def ensure_schema(path: str) -> bool:
    """Create or migrate the schema once per database file and app process."""
    from store.writer import open_store

    open_store(path, wait=_WAIT).close()
    return True


def _stat_key(path: str) -> tuple[int, int, int, int]:
    """Changes whenever a commit touches the database file or its write-ahead log."""
    key = []
    for name in (path, path + ".wal"):
        try:
            st_ = os.stat(name)
            key += [st_.st_mtime_ns, st_.st_size]
        except FileNotFoundError:
            key += [0, 0]
    return tuple(key)


@st.cache_data(show_spinner=False, max_entries=64)
def _version_at(path: str, stat_key: tuple[int, int, int, int]) -> int:
    ensure_schema(path)
    with db.opened(path, wait=_WAIT) as con:
        return int(db.scalar(con, "select value from meta where key = 'data_version'") or 0)


def data_version() -> int:
    """The store's data version; re-read only when the file changed on disk (a stat call otherwise)."""
    path = db_file()
    ensure_schema(path)
    return _version_at(path, _stat_key(path))


@st.cache_data(show_spinner=False, max_entries=512)
def _call(module: str, name: str, path: str, version: int, kwargs: tuple[tuple[str, Any], ...]) -> Any:
    fn = getattr(importlib.import_module(module), name)
    with db.opened(path, wait=_WAIT) as con:
        return fn(con, **dict(kwargs))


def metric(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a metrics function (cached by database, data version and arguments)."""
    from .filters import frame_guard

    frame_guard()
    return _call(fn.__module__, fn.__name__, db_file(), data_version(), tuple(sorted(kwargs.items())))


def busy_notice(exc: DatabaseBusy) -> None:
    st.warning(
        "The database is busy: an import is being written by another program. "
        "This page will show the new data as soon as it is done.",
        icon=":material/hourglass_top:",
    )
    if st.button("Try again", key="busy_retry"):
        st.rerun()
