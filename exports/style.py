"""The pack's look: colours, cell formats and the status labels every coloured cell carries.

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies), and a
status is never shown by colour alone: every coloured cell also carries a label with a symbol
(`✔ Implemented`, `✖ Below target`).

Safety: every text from the data is written with `write_string`, so a value such as `=HYPERLINK(...)`,
`+1`, `-2`, `@SUM(...)` or one starting with a tab or carriage return stays text and can never run as a
formula (the workbook is also opened with `strings_to_formulas`, `strings_to_urls` and
`strings_to_numbers` off). Only `http` and `https` evidence links become hyperlinks.
"""

from __future__ import annotations

import math
from typing import Any

from xlsxwriter.workbook import Workbook

__all__ = ["BAND_COLOURS", "LABELS", "OKABE_ITO", "WORKBOOK_OPTIONS", "Styles", "band", "label", "words"]

WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
    "default_date_format": "yyyy-mm-dd",
}

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
    "light_grey": "#DDDDDD",
}
_O = OKABE_ITO
INK = "#1A1A1A"
HEADER_FILL = "#1F3A5F"
BAND_COLOURS = {
    "low": _O["bluish_green"],
    "medium": _O["yellow"],
    "high": _O["orange"],
    "critical": _O["vermillion"],
}

# Every status the pack colours: value -> (label with symbol, fill). Labels are what the cells hold.
LABELS: dict[str, tuple[str, str]] = {
    # control and clause implementation
    "implemented": ("✔ Implemented", _O["bluish_green"]),
    "partially_implemented": ("◐ Partially implemented", _O["sky_blue"]),
    "planned": ("◷ Planned", _O["yellow"]),
    "not_implemented": ("✖ Not implemented", _O["vermillion"]),
    "not_assessed": ("? Not assessed", _O["grey"]),
    "not_applicable": ("— Not applicable", _O["light_grey"]),
    # incident severity
    "critical": ("▲▲ Critical", _O["vermillion"]),
    "high": ("▲ High", _O["orange"]),
    "medium": ("● Medium", _O["yellow"]),
    "low": ("▽ Low", _O["sky_blue"]),
    # risk bands (the default band names of the setting risk_bands)
    "band_low": ("▽ Low", _O["bluish_green"]),
    "band_medium": ("● Medium", _O["yellow"]),
    "band_high": ("▲ High", _O["orange"]),
    "band_critical": ("▲▲ Critical", _O["vermillion"]),
    # targets, appetite, flags
    "on_target": ("✔ On target", _O["bluish_green"]),
    "below_target": ("✖ Below target", _O["vermillion"]),
    "no_target": ("— No target", _O["light_grey"]),
    "no_data": ("? No data", _O["grey"]),
    "within_appetite": ("✔ Within appetite", _O["bluish_green"]),
    "above_appetite": ("✖ Above appetite", _O["vermillion"]),
    "on_track": ("✔ On track", _O["bluish_green"]),
    "off_track": ("✖ Off track", _O["vermillion"]),
    "overdue": ("✖ Overdue", _O["vermillion"]),
    "stale": ("✖ Stale", _O["vermillion"]),
    "fresh": ("✔ Fresh", _O["bluish_green"]),
    "open": ("○ Open", _O["orange"]),
    "closed": ("✔ Closed", _O["bluish_green"]),
    "ongoing": ("✖ Ongoing", _O["vermillion"]),
    "ended": ("✔ Ended", _O["bluish_green"]),
}


def label(value: object) -> str:
    """The label with symbol of a status value (unknown values as written, underscores as spaces)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    return LABELS[text][0] if text in LABELS else text.replace("_", " ")


class Styles:
    """The workbook's cell formats, made once per workbook (xlsxwriter wants shared format objects)."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        base = {"font_name": "Calibri", "font_size": 10, "valign": "top", "font_color": INK}
        self._base = base
        add = lambda **kw: book.add_format({**base, **kw})  # noqa: E731
        self.title = add(bold=True, font_size=16, font_color=HEADER_FILL, valign="vcenter")
        self.subtitle = add(italic=True, font_color="#444444")
        self.section = add(
            bold=True, font_size=12, font_color=HEADER_FILL, bottom=1, bottom_color=HEADER_FILL
        )
        self.header = add(bold=True, font_color="#FFFFFF", bg_color=HEADER_FILL, border=1, text_wrap=True)
        self.text = add()
        self.wrap = add(text_wrap=True)
        self.bold = add(bold=True)
        self.note = add(italic=True, font_color="#444444", text_wrap=True)
        self.integer = add(num_format="#,##0")
        self.number = add(num_format="#,##0.0")
        self.decimal = add(num_format="0.0###")
        self.pct = add(num_format="0.0%")
        self.date = add(num_format="yyyy-mm-dd", align="left")
        self.datetime = add(num_format="yyyy-mm-dd hh:mm", align="left")
        self.link = add(font_color=_O["blue"], underline=1)
        self.entry = add(text_wrap=True, border=1, border_color="#B0B0B0")
        self.delta_count = add(num_format='"▲ "+#,##0;"▼ "-#,##0;"= "0')
        self.delta_days = add(num_format='"▲ "+#,##0.0;"▼ "-#,##0.0;"= "0.0')
        self.delta_pp = add(num_format='"▲ "+0.0" pp";"▼ "-0.0" pp";"= "0.0" pp"')
        self.big_pct = add(num_format="0.0%", bold=True, font_size=12)
        self.big_int = add(num_format="#,##0", bold=True, font_size=12)
        self.big_num = add(num_format="#,##0.0", bold=True, font_size=12)
        self.big_text = add(bold=True, font_size=12)
        self.big_date = add(num_format="yyyy-mm-dd", bold=True, font_size=12, align="left")
        self._fills: dict[str, Any] = {}

    def fill(self, colour: str) -> Any:
        """A conditional-format fill in `colour`, black text (legible on every Okabe-Ito colour)."""
        if colour not in self._fills:
            self._fills[colour] = self.book.add_format({"bg_color": colour, "font_color": "#000000"})
        return self._fills[colour]

    def band_cell(self, band: str) -> Any:
        """A heatmap cell: the band's colour and its name beside the count (never colour alone)."""
        key = f"band:{band}"
        if key not in self._fills:
            self._fills[key] = self.book.add_format(
                {
                    **self._base,
                    "bg_color": BAND_COLOURS.get(band, _O["light_grey"]),
                    "font_color": "#000000",
                    "align": "center",
                    "valign": "vcenter",
                    "border": 1,
                    "border_color": "#FFFFFF",
                    "bold": True,
                    "num_format": f'0"  {band}";;"·  {band}"',
                }
            )
        return self._fills[key]


def band(value: object) -> object:
    """The label key of a risk band (a band name the labels do not know stays as it is)."""
    return f"band_{value}" if f"band_{value}" in LABELS else value


def words(value: object) -> str | None:
    """A canonical value as words (`internal_audit` -> `internal audit`); None stays None."""
    return None if value is None else str(value).replace("_", " ")
