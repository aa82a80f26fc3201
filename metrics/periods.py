"""Calendar quarters and the as-of date that every figure is judged at."""

from __future__ import annotations

import datetime as dt
import re

import duckdb

from store.db import scalar, table_exists

__all__ = ["Quarter", "available_quarters", "latest_quarter", "parse_quarter"]

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


class Quarter(str):
    """A calendar quarter written `2026-Q3`."""

    @property
    def year(self) -> int:
        return int(self[:4])

    @property
    def number(self) -> int:
        return int(self[-1])

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        """The as-of date of the quarter: its last day."""
        month = 3 * self.number
        return dt.date(self.year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)

    def previous(self) -> Quarter:
        return (
            Quarter(f"{self.year - 1}-Q4") if self.number == 1 else Quarter(f"{self.year}-Q{self.number - 1}")
        )

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def parse_quarter(text: str) -> Quarter:
    """`2026-Q3` (case-insensitive) to a Quarter; ValueError otherwise."""
    cleaned = text.strip().upper()
    if not _QUARTER.match(cleaned):
        raise ValueError(f"{text!r} is not a quarter; expected e.g. 2026-Q3")
    return Quarter(cleaned)


def available_quarters(con: duckdb.DuckDBPyConnection) -> list[Quarter]:
    """One entry per calendar quarter from the earliest to the latest as-of date of a loaded import."""
    if not table_exists(con, "imports"):
        return []
    first = scalar(con, "select min(as_of) from imports where outcome = 'loaded'")
    last = scalar(con, "select max(as_of) from imports where outcome = 'loaded'")
    if first is None:
        return []
    quarters, q = [], Quarter.of(first)
    while q.start <= last:
        quarters.append(q)
        q = Quarter(f"{q.year + 1}-Q1") if q.number == 4 else Quarter(f"{q.year}-Q{q.number + 1}")
    return quarters


def latest_quarter(con: duckdb.DuckDBPyConnection) -> Quarter | None:
    """The newest quarter with data (the default view), or None for an empty database."""
    quarters = available_quarters(con)
    return quarters[-1] if quarters else None
