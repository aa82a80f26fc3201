"""What every sheet of the pack is built from: the connection, the quarter, the filters, shared formats."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import duckdb
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from metrics.periods import Quarter
from metrics.settings import Settings, settings_at

from .style import Styles

__all__ = ["PackContext", "print_setup"]


@dataclass
class PackContext:
    """One pack being built: the quarter and filters, the workbook and its formats."""

    con: duckdb.DuckDBPyConnection
    quarter: Quarter
    scope: str
    system: str | None
    unit: str | None
    book: Workbook
    styles: Styles
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def as_of(self) -> dt.date:
        return self.quarter.end

    @property
    def previous(self) -> Quarter:
        return self.quarter.previous()

    @cached_property
    def settings(self) -> Settings:
        return settings_at(self.con, as_of=self.as_of)

    @property
    def filters(self) -> dict[str, Any]:
        """The AI-system and business-unit filters, as the record metrics take them."""
        return {"system": self.system, "unit": self.unit}

    @property
    def filter_text(self) -> str:
        return (
            f"Scope: {self.scope} · AI system: {self.system or 'all'} · business unit: {self.unit or 'all'}"
        )

    def sheet(self, name: str, *, title: str, subtitle: str = "", landscape: bool = True) -> Worksheet:
        """A new sheet with its title block (rows 1-3) and print setup; tables start at row 4 (index 4)."""
        sheet = self.book.add_worksheet(name)
        sheet.hide_gridlines(2)
        sheet.set_row(0, 24)
        sheet.write_string(0, 0, title, self.styles.title)
        sheet.write_string(
            1, 0, subtitle or f"{self.quarter} · as of {self.as_of:%d %B %Y}", self.styles.subtitle
        )
        sheet.write_string(2, 0, self.filter_text, self.styles.subtitle)
        print_setup(sheet, self.quarter, landscape=landscape)
        return sheet


def print_setup(sheet: Worksheet, quarter: Quarter, *, landscape: bool = True) -> None:
    """A4, fit to one page wide, margins, and a header and footer naming the pack, sheet and page."""
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_header(f"&L&8AIMS quarterly pack {quarter}&R&8&A")
    sheet.set_footer("&L&8ISO/IEC 42001 · performance evaluation&R&8Page &P of &N")
