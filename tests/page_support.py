"""Helpers for the page tests: open a page under AppTest, read its figures and its charts' data.

Under AppTest, switching to a file in `pages/` runs that page without the frame (the sidebar is drawn
only by `app.py`), so a test chooses its filters on the frame's first page, then switches: the page reads
the choices the frame remembered, as it does after a click in the sidebar's navigation.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from streamlit.testing.v1 import AppTest

from store import db

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def frame(**query: str) -> AppTest:
    """The app as opened from a link with `query` parameters (`quarter="2025-Q4"`)."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def show(at: AppTest, page: str) -> AppTest:
    """Switch to `page` (e.g. "pages/incidents.py") and run it; it must not raise."""
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def choose(at: AppTest, **filters: str) -> AppTest:
    """Pick sidebar filters (`quarter="2026-Q2"`, `system="Credit scoring"`), back on the frame first if
    a page is shown."""
    if not at.sidebar.selectbox:
        at.switch_page("app.py").run()
    for key, value in filters.items():
        at.sidebar.selectbox(key=key).select(value).run()
    assert not at.exception
    return at


def filtered(at: AppTest, **filters: str) -> AppTest:
    """Rerun the page shown with sidebar filters set under the widgets' keys (`system="Credit scoring"`),
    as the sidebar's selectboxes keep them."""
    for key, value in filters.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> dict[str, tuple[str, str]]:
    """Every st.metric shown: label -> (value, delta) as displayed."""
    return {m.label: (m.value, m.delta) for m in at.metric}


def change(delta: str | None) -> float | None:
    """A displayed delta as a number: "+3" -> 3, "-5.5 days" -> -5.5, "no change" -> 0, "no comparison"
    (the previous quarter has no data) -> None."""
    if delta in (None, "no comparison"):
        return None
    return 0.0 if delta == "no change" else float(delta.split()[0])


def chart(at: AppTest, key: str) -> dict[str, Any]:
    """The Plotly figure (JSON) of the chart drawn with `key`."""
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, f"no chart {key!r}"
    return json.loads(found[0].proto.spec)


def array(value: Any) -> list:
    """A Plotly data array as a list (Plotly writes numbers as base64 typed arrays)."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def _walk(node: Any) -> Iterator[Any]:
    """The page's elements in reading order."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def table(at: AppTest, after: str):
    """The DataFrame of the first table after a subheader (its text) or a widget (its key)."""
    nodes = list(_walk(at.main))
    marks = [
        i
        for i, n in enumerate(nodes)
        if (n.type == "subheader" and n.value == after) or getattr(n, "key", None) == after
    ]
    assert marks, f"nothing called {after!r}"
    found = next((n for n in nodes[marks[0] :] if n.type == "dataframe"), None)
    assert found is not None, f"no table after {after!r}"
    return found.value


def expected(path: Path, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
    """A metric computed directly on the database the app reads."""
    with db.opened(path) as con:
        return fn(con, **kwargs)


def open_page(page: str, query: dict[str, str] | None = None, *, quarter: str | None = None) -> AppTest:
    """Open the app (as a shared link would, with `query`), choose `quarter` in the sidebar, then open
    `page`. AppTest reruns only the page script after the first run, without the frame and its sidebar,
    so the sidebar choice is sent with the switch to the page."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if quarter:
        at.sidebar.selectbox(key="quarter").select(quarter)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    """The shown st.metric values by label."""
    return {m.label: m.value for m in at.metric}
