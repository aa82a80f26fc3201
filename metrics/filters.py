"""What the shared filters can offer: quarters with data, the scopes loaded, AI systems and business units."""

from __future__ import annotations

import duckdb
from pydantic import BaseModel

from store.db import rows, table_exists

from .periods import Quarter, available_quarters

__all__ = ["FilterOptions", "filter_options"]


class FilterOptions(BaseModel):
    """One set of choices for the sidebar."""

    quarters: list[str]
    scopes: list[str]
    systems: list[str] = []
    units: list[str] = []
    has_data: bool


def filter_options(con: duckdb.DuckDBPyConnection) -> FilterOptions:
    """Quarters from the earliest to the latest as-of date loaded; scopes loaded (organisation first); the AI
    systems and business units of the current inventory."""
    if not table_exists(con, "imports"):
        return FilterOptions(quarters=[], scopes=["organisation"], has_data=False)
    quarters: list[Quarter] = available_quarters(con)
    scopes = [
        r["scope"]
        for r in rows(con, "select distinct scope from imports where outcome = 'loaded' order by 1")
    ]
    ordered = ["organisation"] + [s for s in scopes if s != "organisation"]
    systems: list[str] = []
    units: list[str] = []
    if table_exists(con, "systems"):
        systems = [
            r["name"]
            for r in rows(con, "select distinct name from systems where replaced_by is null order by 1")
        ]
        units = [
            r["business_unit"]
            for r in rows(
                con,
                "select distinct business_unit from systems where replaced_by is null "
                "and business_unit is not null order by 1",
            )
        ]
    return FilterOptions(
        quarters=[str(q) for q in quarters],
        scopes=ordered,
        systems=systems,
        units=units,
        has_data=bool(quarters),
    )
