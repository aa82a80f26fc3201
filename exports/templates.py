"""Blank workbooks to fill in, one per dataset, generated from the dataset contracts.

A template has two sheets. The data sheet holds the header row (each field's first accepted header,
which the loader recognises), one example row (each field's `example`), and drop-downs for every field
with a vocabulary listing its canonical values; other accepted spellings may still be typed (the
drop-down then warns but allows them). The Instructions sheet lists each field: whether it is required,
what it holds, the accepted values and their spellings, and every other accepted header. The loader
skips the Instructions sheet (it matches no dataset), so a filled-in template loads as it is.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import xlsxwriter

from loaders.contracts import CONTRACTS, Contract, FieldSpec
from loaders.datasets import ORDER
from loaders.vocab import SPECS

from .style import WORKBOOK_OPTIONS, Styles
from .tables import lines, write_note

__all__ = ["file_name", "template_bytes", "write_templates"]

_ROWS = 1000  # rows offered the drop-downs and date checks
# 1-5 scales: the canonical number with its word, a spelling the loader reads by its word.
_SCALE_WORDS = {
    "likelihood": ("Rare", "Unlikely", "Possible", "Likely", "Almost certain"),
    "impact": ("Negligible", "Minor", "Moderate", "Major", "Severe"),
}
_KINDS = {
    "text": "any text",
    "requirement": "an ISO/IEC 42001 subclause or Annex A control id",
    "enum": "one of the listed values",
    "date": "a date: 2026-09-30, 30/09/2026 or an Excel date",
    "datetime": "a date or date and time: 2026-09-30 06:00, ISO 8601 or an Excel date",
    "number": "a number (a decimal comma is read too)",
    "integer": "a whole number",
    "bool": "yes or no",
}
_CREATED = dt.datetime(2026, 1, 1)  # fixed, so a template's bytes only change with its contract


def header(field: FieldSpec) -> str:
    """The header a template uses for a field: its first accepted alias, else its name."""
    return field.aliases[0] if field.aliases else field.name


def choices(field: FieldSpec) -> list[str]:
    """The drop-down values of a field with a vocabulary: its canonical values, in the vocabulary's order."""
    if not field.vocabulary:
        return []
    if field.vocabulary in _SCALE_WORDS:
        return [f"{i} - {word}" for i, word in enumerate(_SCALE_WORDS[field.vocabulary], start=1)]
    if field.vocabulary == "yes_no":
        return ["Yes", "No"]
    return list(SPECS[field.vocabulary])


def _spellings(field: FieldSpec) -> str:
    """Every accepted spelling, grouped by the canonical value it maps to."""
    if not field.vocabulary:
        return field.description
    groups = [
        f"{canonical}: {', '.join(s for s in spellings if s) or '(blank)'}"
        for canonical, spellings in SPECS[field.vocabulary].items()
    ]
    return "; ".join(groups)


def file_name(dataset: str) -> str:
    return f"template_{dataset}.xlsx"


def _example(sheet, row: int, col: int, field: FieldSpec, styles: Styles) -> None:
    text = field.example
    if not text:
        sheet.write_blank(row, col, None)
        return
    if field.kind in ("date", "datetime"):
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            sheet.write_string(row, col, text)
            return
        sheet.write_datetime(row, col, value, styles.date if field.kind == "date" else styles.datetime)
    elif field.kind in ("number", "integer"):
        try:
            sheet.write_number(row, col, float(text))
        except ValueError:
            sheet.write_string(row, col, text)
    else:
        sheet.write_string(row, col, text)


def _print_setup(sheet, contract: Contract) -> None:
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_header(f"&L&8Template: {contract.title}&R&8&A")
    sheet.set_footer("&R&8Page &P of &N")


def _data_sheet(book, styles: Styles, contract: Contract) -> None:
    sheet = book.add_worksheet(contract.dataset.capitalize())
    _print_setup(sheet, contract)
    for col, field in enumerate(contract.fields):
        width = min(40, max(14, len(header(field)) + 4, len(field.example) + 4))
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, header(field), styles.header)
        note = f"{field.name}{' (required)' if field.required else ''}: {field.description or 'text'}"
        sheet.write_comment(0, col, note, {"x_scale": 2})
        _example(sheet, 1, col, field, styles)
        values = choices(field)
        if values and sum(len(v) + 1 for v in values) <= 255:
            sheet.data_validation(
                1,
                col,
                _ROWS,
                col,
                {
                    "validate": "list",
                    "source": values,
                    "error_type": "warning",
                    "error_title": "Not a listed value",
                    "error_message": "Other spellings are accepted too: see the Instructions sheet.",
                },
            )
        elif field.kind in ("date", "datetime"):
            sheet.data_validation(
                1,
                col,
                _ROWS,
                col,
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": dt.date(1990, 1, 1),
                    "maximum": dt.date(2100, 12, 31),
                    "error_type": "warning",
                    "error_message": "A date is expected (yyyy-mm-dd or dd/mm/yyyy).",
                },
            )
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, 1, len(contract.fields) - 1)


def _instructions(book, styles: Styles, contract: Contract) -> None:
    sheet = book.add_worksheet("Instructions")
    _print_setup(sheet, contract)
    sheet.write_string(0, 0, f"{contract.title} ({contract.dataset})", styles.title)
    kind = (
        "a complete picture on its as-of date (a snapshot): a row left out is gone from that date on"
        if contract.semantics == "snapshot"
        else "records: a later file updates a record with the same key; absent records are kept"
    )
    intro = [
        f"Fill in one row per {', '.join(contract.key)} on the first sheet; replace the example row. "
        f"The file is {kind}.",
        "Headers are matched case-, space- and punctuation-insensitively; any header listed below works. "
        "The as-of date is given when loading, or in an 'As of' column, or in the file name (…_2026-09-30.xlsx).",
        "Drop-downs list the canonical values; the other spellings below are accepted too. Anything else is "
        "refused with the row and column named, never guessed.",
    ]
    widths = [24, 10, 44, 60, 24, 60]
    for i, line in enumerate(intro, start=1):
        write_note(sheet, styles, i, line, 0, len(widths) - 1, sum(widths))
    top = len(intro) + 2
    head = [
        "Column",
        "Required",
        "What it holds",
        "Values and accepted spellings",
        "Example",
        "Other headers",
    ]
    for col, (text, width) in enumerate(zip(head, widths, strict=True)):
        sheet.write_string(top, col, text, styles.header)
        sheet.set_column(col, col, width)
    # Every cell but the first holds a phrase, never a bare word: a bare word could equal a header alias,
    # and a row with two aliases would make the loader take this sheet for data.
    for row, field in enumerate(contract.fields, start=top + 1):
        others = [a for a in (field.name, *field.aliases) if a != header(field)]
        cells = [
            header(field),
            "required" if field.required else "optional",
            f"{field.name}: {field.description or _KINDS[field.kind]}",
            _spellings(field) if field.vocabulary else _KINDS[field.kind],
            f"e.g. {field.example}" if field.example else "",
            f"or: {', '.join(others)}" if others else "",
        ]
        for col, text in enumerate(cells):
            sheet.write_string(row, col, text, styles.bold if col == 0 else styles.wrap)
        sheet.set_row(row, 12.75 * max(lines(t, w) for t, w in zip(cells, widths, strict=True)) + 2)
    sheet.freeze_panes(top + 1, 0)
    sheet.repeat_rows(top)


def template_bytes(dataset: str) -> bytes:
    """The template workbook of one dataset (a name of `loaders.contracts.CONTRACTS`) as xlsx bytes."""
    if dataset not in CONTRACTS:
        raise ValueError(f"unknown dataset {dataset!r}; datasets: {', '.join(sorted(CONTRACTS))}")
    contract = CONTRACTS[dataset]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    book.set_properties({"title": f"Template: {contract.title}", "created": _CREATED})
    styles = Styles(book)
    _data_sheet(book, styles, contract)
    _instructions(book, styles, contract)
    book.close()
    return out.getvalue()


def write_templates(folder: Path) -> list[Path]:
    """Write one template per dataset into `folder` (created if missing); returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for dataset in [*ORDER, *(d for d in CONTRACTS if d not in ORDER)]:
        path = folder / file_name(dataset)
        path.write_bytes(template_bytes(dataset))
        written.append(path)
    return written
