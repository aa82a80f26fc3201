"""Helpers shared by the dataset checks: duplicate keys, date order, AI-system names, the store SELECT.

A check gets the staging connection, the typed table (`row_no` plus one column per contract field, and
`<field>__raw` for the text as written) and a context that reports with file and sheet filled in.
"""

from __future__ import annotations

from typing import Protocol

import duckdb

from ..messages import Message

__all__ = [
    "SYSTEM_ALIASES",
    "Reporter",
    "date_order",
    "duplicate_keys",
    "name_key",
    "store_systems",
    "unknown_systems",
]

# How the AI system is named in datasets other than the inventory.
SYSTEM_ALIASES = (
    "AI system",
    "AI system name",
    "System",
    "System name",
    "AI system name/ID",
    "AI system ID",
    "Affected system",
    "Affected AI system",
    "Application",
    "Model",
    "Model name",
    "model_name",
    "AI project",
    "ai_project",
)


class Reporter(Protocol):
    """What `loaders.pipeline` hands a check to report with (file and sheet filled in)."""

    def header(self, name: str) -> str | None: ...

    def problem(
        self, code, row, column, value, expected, severity: str = "problem", text: str = ""
    ) -> Message: ...


def name_key(expr: str) -> str:
    """SQL: the case- and space-insensitive form of an AI-system name (null for blank)."""
    return f"nullif(lower(regexp_replace({expr}, '\\s+', '', 'g')), '')"


def duplicate_keys(
    con: duckdb.DuckDBPyConnection, typed: str, key: list[str], column: str, ctx: Reporter
) -> list[Message]:
    """`duplicate_key` for every row whose key an earlier row of the same file already has.

    `key` are SQL expressions over the typed table (blank parts count as equal); `column` is the field
    whose header the message names.
    """
    parts = ", ".join(key)
    shown = " || ' / ' || ".join(f"coalesce(cast({k} as varchar), '')" for k in key)
    found = con.execute(
        f"""select row_no, {shown}, first_value(row_no) over (partition by {parts} order by row_no)
            from {typed} where {key[0]} is not null
            qualify row_number() over (partition by {parts} order by row_no) > 1 order by row_no"""
    ).fetchall()
    return [
        ctx.problem(
            "duplicate_key", row, ctx.header(column), value, f"each key once per file (first at row {first})"
        )
        for row, value, first in found
    ]


def date_order(
    con: duckdb.DuckDBPyConnection, typed: str, earlier: str, later: str, code: str, ctx: Reporter
) -> list[Message]:
    """A problem `code` for each row whose `later` date falls before its `earlier` date."""
    found = con.execute(
        f'select row_no, "{later}__raw", "{earlier}" from {typed} '
        f'where "{later}" < "{earlier}" order by row_no'
    ).fetchall()
    return [
        ctx.problem(code, row, ctx.header(later), value, f"a date on or after {first} ({earlier})")
        for row, value, first in found
    ]


def store_systems(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection holds the store's `systems` table (a dry run's in-memory one does not)."""
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'main' and table_name = 'systems' "
            "and not temporary and database_name = current_database()"
        ).fetchone()[0]
    )


def unknown_systems(con: duckdb.DuckDBPyConnection, typed: str, field: str, ctx: Reporter) -> list[Message]:
    """One `unknown_system` warning per AI-system name the inventory in the store does not know.

    Names match the inventory's names or ids, case- and space-insensitively. The check runs only where
    the store's `systems` table is visible: in a real load, which stages in the store's connection; a
    dry run stages in an in-memory connection and says nothing about names. A name that is unknown today
    still loads: the system shows as unregistered until the inventory names it.
    """
    if not store_systems(con):
        return []
    found = con.execute(
        f"""with known as (
                select name_key as k from main.systems where replaced_by is null
                union select {name_key("system_id")} from main.systems where replaced_by is null
            )
            select min(row_no), arg_min("{field}", row_no), count(*) from {typed}
            where {name_key(f'"{field}"')} is not null
              and {name_key(f'"{field}"')} not in (select k from known where k is not null)
            group by {name_key(f'"{field}"')} order by 1"""
    ).fetchall()
    return [
        ctx.problem(
            "unknown_system",
            row,
            ctx.header(field),
            value,
            "an AI system of the inventory (dataset systems)",
            severity="warning",
            text=f"{count} row(s) name it; it shows as unregistered until the inventory names it",
        )
        for row, value, count in found
    ]
