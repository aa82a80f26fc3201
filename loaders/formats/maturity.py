"""Maturity-score workbooks (and CSVs) for ISO/IEC 42001: a requirement column and a score column (1-5,
0-5, 0-100 or a percentage; `N/A`), usually without a status column, into `controls`.

The score is kept as written (`score`, with `score_scale`), and the status is derived from it:

    scale 0-5 / 1-5:   score >= 3 -> implemented;  2 <= score < 3 -> partially_implemented;
                       score < 2 -> not_implemented
    scale 0-100 (%):   score >= 60 -> implemented; 40 <= score < 60 -> partially_implemented;
                       score < 40 -> not_implemented
    N/A -> not applicable (status empty); blank -> not_assessed

A status column, when the sheet has one, wins over the derived status. Scores computed by formulas are
read from their cached values; a formula whose value was never computed (a file last written by a
library that does not calculate) is a warning naming the cells, and the score counts as blank. A decimal
comma (`2,5`) is read in a `;`-separated file.
"""

from __future__ import annotations

from ..contracts import CONTRACTS
from ._base import Format, Sheet, Staged, Tables, cell_number, file_message, iso42001_id, norm

TITLE = "Maturity-score assessment (ISO/IEC 42001 requirement + score)"
_SCORE_WORDS = ("maturity", "score", "rating", "level")
_PREFERRED = ("implementation", "maturity", "current", "score", "rating", "level")
_NA = {"na", "n/a", "notapplicable", "nevztahujese"}


def _is_score(key: str) -> bool:
    return any(key.startswith(w) or key.endswith(w) or w in key for w in _SCORE_WORDS) and not key.startswith(
        ("target", "expected", "required", "documentation")
    )


def _fields(keys: list[str]) -> dict[str, int]:
    contract = CONTRACTS["controls"]
    found, taken = {}, set()
    for f in contract.fields:
        for alias in f.alias_keys():
            hits = [j for j, k in enumerate(keys) if k == alias and j not in taken]
            if hits:
                found[f.name] = hits[0]
                taken.add(hits[0])
                break
    return found


def _layout(sheet: Sheet):
    """(header row, field -> column, score column) of a maturity sheet, or None."""
    for row_no, cells in sheet.head[:12]:
        keys = [norm(c) if c else "" for c in cells]
        fields = _fields(keys)
        if "requirement_id" not in fields:
            continue
        scores = [j for j, k in enumerate(keys) if k and _is_score(k) and j not in fields.values()]
        if not scores:
            continue
        scores.sort(key=lambda j: next((i for i, w in enumerate(_PREFERRED) if w in keys[j]), 99))
        req = fields["requirement_id"]
        ids = [c[req] for r, c in sheet.head if r > row_no and req < len(c) and c[req]]
        if ids and sum(bool(iso42001_id(i)) for i in ids) * 2 >= len(ids):
            return row_no, fields, scores[0]
    return None


def _sheets(tables: Tables):
    return [(s, found) for s in tables.sheets if (found := _layout(s))]


def _score(text: str | None, decimal_comma: bool) -> tuple[float | None, bool, bool]:
    """(number, is N/A, is a percentage) of a score cell."""
    if text is None:
        return None, False, False
    if norm(text) in _NA or text.strip().lower() in _NA:
        return None, True, False
    body = text.strip()
    percent = body.endswith("%")
    number = cell_number(
        body.rstrip("%").strip(), decimal_comma=True if decimal_comma or "," in body else False
    )
    return number, False, percent


def _derived(score: float | None, na: bool, scale: str) -> str | None:
    if na:
        return "N/A"
    if score is None:
        return None
    high, mid = (60, 40) if scale == "0-100" else (3, 2)
    return "Implemented" if score >= high else "Partially implemented" if score >= mid else "Not implemented"


def _uncomputed(tables: Tables, sheet: Sheet, column: int, header_row: int) -> list[int]:
    """Rows whose score cell holds a formula but no cached value (xlsx only)."""
    if tables.path.suffix.lower() not in (".xlsx", ".xlsm"):
        return []
    try:
        import openpyxl

        book = openpyxl.load_workbook(tables.path, read_only=True, data_only=False)
    except Exception:  # not readable by openpyxl: no formulas to report
        return []
    try:
        ws = book[sheet.name] if sheet.name in book.sheetnames else book.worksheets[0]
        staged = dict(sheet.rows)
        rows = []
        for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if row_no <= header_row or column >= len(values):
                continue
            value = values[column]
            if (
                isinstance(value, str)
                and value.startswith("=")
                and not (staged.get(row_no) or [None] * (column + 1))[column]
            ):
                rows.append(row_no)
        return rows
    finally:
        book.close()


def stage(tables: Tables, options) -> list[Staged]:
    out = []
    found = _sheets(tables)
    skipped = [
        file_message(
            "sheet_skipped", tables.path.name, "no requirement and score columns; skipped", sheet=s.name
        )
        for s in tables.sheets
        if s.name is not None and s not in [f[0] for f in found]
    ]
    for sheet, (header_row, fields, score_col) in found:
        headers = next(cells for r, cells in sheet.head if r == header_row)
        body = [(r, c) for r, c in sheet.rows if r > header_row and any(c)]
        decimal_comma = sheet.delimiter == ";"
        parsed = [_score(c[score_col] if score_col < len(c) else None, decimal_comma) for _, c in body]
        numbers = [n for n, _, _ in parsed if n is not None]
        percent = any(p for _, _, p in parsed)
        scale = (
            "0-100"
            if percent or (numbers and max(numbers) > 5)
            else "0-5"
            if numbers and min(numbers) < 1
            else "1-5"
        )
        names = list(fields)
        status_col = fields.get("status")
        rows, derived_count = [], 0
        for (row_no, cells), (number, na, _) in zip(body, parsed, strict=True):
            row = [cells[fields[f]] if fields[f] < len(cells) else None for f in names]
            given = cells[status_col] if status_col is not None and status_col < len(cells) else None
            if not given:
                derived = _derived(number, na, scale)
                derived_count += derived is not None
                if status_col is not None:
                    row[names.index("status")] = derived
                else:
                    row.append(derived)
            elif status_col is None:
                row.append(None)
            rows.append((row_no, row))
        if status_col is None:
            names.append("status")
        sources = {f: headers[fields[f]] for f in fields}
        sources["status"] = (
            f"{headers[status_col]}, else derived from {headers[score_col]}"
            if status_col is not None
            else f"derived from {headers[score_col]}"
        )
        messages = []
        missing = _uncomputed(tables, sheet, score_col, header_row)
        if missing:
            messages.append(
                file_message(
                    "formula_without_value",
                    tables.path.name,
                    f"{len(missing)} score cell(s) hold a formula whose value was never computed (the file was "
                    "last saved by a program that does not calculate): read as blank, i.e. not assessed; open "
                    "and save the file in a spreadsheet program to compute them",
                    sheet=sheet.name,
                    row=missing[0],
                    column=headers[score_col],
                )
            )
        high, mid = ("60", "40") if scale == "0-100" else ("3", "2")
        out.append(
            Staged(
                dataset="controls",
                fields=names,
                sources=sources,
                rows=rows,
                sheet=sheet.name,
                context={
                    "score": f"{headers[score_col]}, scale {scale}, kept beside the status",
                    "derived statuses": f"{derived_count} of {len(rows)} rows",
                },
                value_maps={
                    "score -> status": {
                        f">= {high}": "implemented",
                        f"{mid} to < {high}": "partially_implemented",
                        f"< {mid}": "not_implemented",
                        "N/A": "not applicable",
                        "blank": "not_assessed",
                    }
                },
                messages=messages + (skipped if not out else []),
                extras={
                    "score": [None if n is None else str(n) for n, _, _ in parsed],
                    "score_scale": [scale if (n is not None) else None for n, _, _ in parsed],
                },
            )
        )
    return out


FORMATS = [Format("maturity-scores", TITLE, "table", ("controls",), lambda t: bool(_sheets(t)), stage)]
