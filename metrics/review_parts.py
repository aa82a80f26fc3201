"""The pieces of the management review summary: a figure with its previous-quarter value, a section of
9.3.2, and how figures are made. Assembled by `metrics.review`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

__all__ = ["Figure", "ReviewSection", "Unit", "compare", "count_figure", "records"]

Unit = Literal["count", "rate", "days"]


class Figure(BaseModel):
    """One figure of the review with its previous-quarter value."""

    key: str
    label: str
    value: float | int | None
    unit: Unit = "count"
    previous: float | int | None = None
    comparison: bool = False
    delta: float | int | None = None
    target: float | None = None
    on_target: bool | None = None
    better: Literal["higher", "lower"] | None = None
    trend: bool = True  # False: a count of this quarter's items, not compared with the previous quarter


class ReviewSection(BaseModel):
    """One input of 9.3.2: its figures and the rows behind them."""

    code: str
    title: str
    figures: list[Figure]
    items: list[dict[str, Any]] = []
    note: str = ""


def count_figure(key: str, label: str, value: int | None, **extra: Any) -> Figure:
    """A count of this quarter's items (not a trend: no comparison with the previous quarter)."""
    return Figure(trend=False, key=key, label=label, value=value, **extra)


def compare(
    key: str,
    label: str,
    value: float | int | None,
    previous: float | int | None,
    has_previous: bool,
    *,
    unit: Unit = "count",
    target: float | None = None,
    better: Literal["higher", "lower"] | None = None,
) -> Figure:
    """A figure with its previous-quarter value: the delta only when the previous quarter has data."""
    comparable = has_previous and value is not None and previous is not None
    delta = (value - previous) if comparable else None
    if isinstance(delta, float):
        delta = round(delta, 10)
    on_target = None
    if target is not None and value is not None:
        on_target = value >= target if better != "lower" else value <= target
    return Figure(
        key=key,
        label=label,
        value=value,
        unit=unit,
        previous=previous if has_previous else None,
        comparison=comparable,
        delta=delta,
        target=target,
        on_target=on_target,
        better=better,
    )


def records(frame, limit: int = 50) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    return frame.head(limit).astype(object).where(frame.head(limit).notna(), None).to_dict("records")
