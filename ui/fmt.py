"""Formatting of figures for the screen: one place, so every page writes numbers the same way."""

from __future__ import annotations

__all__ = ["STATUS_LABELS", "count", "pct"]

# Status is never shown by colour alone: each has a label and a symbol.
STATUS_LABELS = {
    "implemented": "✔ Implemented",
    "partially_implemented": "◐ Partially implemented",
    "planned": "◷ Planned",
    "not_implemented": "✖ Not implemented",
    "not_assessed": "? Not assessed",
    "not_applicable": "— Not applicable",
}


def pct(value: float | None, digits: int = 1) -> str:
    """0.4211 -> '42.1%'; None -> '—' (no denominator)."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"
