"""AIAAIC Repository workbook (Google Sheets xlsx download), into `external_incidents`.

Sheet `Repository`: a title row, then a two-row header whose merged group cells (`External harms`,
`Internal harms`) are joined with their sub-headers (`External harms / Individual`). Columns are found
by name, never by position (the layout drifts between downloads; other sheets say `Title`,
`Country(s)`, `Operator(s)`). Years are floats (`2022.0`) or text ranges (`2023-2024`, `2018-`): the
date is kept as written with `year_start` / `year_end` (an open range has no end year); `Occurred`,
else `Released`. Lists (`; `) are kept as written. `Issue(s)` is the category; the harm columns are
joined as `<sub-header>: <harms>`; system names, technologies and purposes make the description; the
record page link is the URL. Rows without an id (blank rows, section dividers such as `SYSTEM`) are
skipped. Only `Repository` loads by default: `Systems` and `Datasets` describe systems and datasets,
and the topic sheets repeat records of `Repository` (choose one with `--sheet`).
"""

from __future__ import annotations

from ._base import Format, Sheet, Staged, Tables, file_message, norm
from ._external import Record, staged, years

TITLE = "AIAAIC Repository workbook (xlsx download)"
_ID = "aiaaicid"


def _matching(tables: Tables) -> list[Sheet]:
    return [s for s in tables.sheets if s.name is not None and s.header_at({_ID}, within=5, at_least=1)]


def _columns(sheet: Sheet) -> tuple[int, dict[str, int], list[str]]:
    """Header row number, normalised name -> column, and the shown names (group / sub-header joined)."""
    header_row, _ = sheet.header_at({_ID}, within=5, at_least=1)
    rows = dict(sheet.head)
    top = rows[header_row]
    sub = rows.get(header_row + 1) or []
    names, col = [], {}
    for j, group in enumerate(top):
        below = sub[j] if j < len(sub) else None
        name = f"{group} / {below}" if group and below and below != group else (group or below or "")
        names.append(name)
        if name:
            col.setdefault(norm(name), j)
            col.setdefault(norm(group or ""), j)
    return header_row + (1 if any(sub) else 0), col, names


def _pick(col: dict[str, int], *candidates: str) -> int | None:
    return next((col[norm(c)] for c in candidates if norm(c) in col), None)


def stage(tables: Tables, options) -> list[Staged]:
    sheets = _matching(tables)
    chosen = sheets if options.sheet else [s for s in sheets if s.name == "Repository"] or sheets[:1]
    messages = [
        file_message(
            "sheet_skipped",
            tables.path.name,
            "an AIAAIC collection sheet: not loaded by default (its records describe systems or datasets, or "
            "repeat records of 'Repository'); load it with --sheet",
            sheet=s.name,
        )
        for s in sheets
        if s not in chosen
    ] + [
        file_message("sheet_skipped", tables.path.name, "not an AIAAIC records sheet; skipped", sheet=s.name)
        for s in tables.sheets
        if s not in sheets
    ]
    out = []
    for sheet in chosen:
        out.append(_stage_sheet(tables, sheet, messages if not out else []))
    return out


def _stage_sheet(tables: Tables, sheet: Sheet, messages: list) -> Staged:
    last_header, col, names = _columns(sheet)
    where = {
        "external_id": _pick(col, "AIAAIC ID#", "AIAAIC ID"),
        "title": _pick(col, "Headline", "Title"),
        "kind": _pick(col, "Type"),
        "occurred": _pick(col, "Occurred"),
        "released": _pick(col, "Released"),
        "country": _pick(col, "Country(ies)", "Country(s)", "Country"),
        "sector": _pick(col, "Sector(s)", "Sector"),
        "deployer": _pick(col, "Deployer(s)", "Operator(s)", "Deployer"),
        "developer": _pick(col, "Developer(s)", "Developer"),
        "systems": _pick(col, "System name(s)", "System(s)"),
        "technology": _pick(col, "Technology(ies)", "Technology"),
        "purpose": _pick(col, "Purpose(s)", "Purpose"),
        "issues": _pick(col, "Issue(s)", "Issues"),
        "url": _pick(col, "Description/links", "Summary/links", "Link"),
    }
    harm_columns = [j for j, n in enumerate(names) if "harms /" in n.lower()]
    records, skipped, ranges = [], 0, 0

    def cell(cells, key):
        j = where.get(key) if isinstance(key, str) else key
        return cells[j] if j is not None and j < len(cells) else None

    for row_no, cells in sheet.rows:
        if row_no <= last_header:
            continue
        ident, title = cell(cells, "external_id"), cell(cells, "title")
        values = {c for c in cells if c}
        if not ident or not title or len(values) <= 1:
            skipped += any(cells)
            continue
        text, start, end = years(cell(cells, "occurred"))
        if text is None:
            text, start, end = years(cell(cells, "released"))
        ranges += bool(text and not text.isdigit())
        harms = "; ".join(
            f"{names[j].split(' / ', 1)[1]}: {cells[j]}" for j in harm_columns if cell(cells, j)
        )
        described = [
            f"{label}: {cell(cells, key)}"
            for label, key in (("System", "systems"), ("Technology", "technology"), ("Purpose", "purpose"))
            if cell(cells, key)
        ]
        records.append(
            Record(
                row=row_no,
                source="AIAAIC",
                external_id=ident,
                kind=cell(cells, "kind"),
                title=title,
                date_text=text,
                year_start=start,
                year_end=end,
                description="; ".join(described) or None,
                deployer=cell(cells, "deployer"),
                developer=cell(cells, "developer"),
                harms=harms or None,
                category=cell(cells, "issues"),
                sector=cell(cells, "sector"),
                country=cell(cells, "country"),
                url=cell(cells, "url"),
            )
        )
    shown = {k: names[j] for k, j in where.items() if j is not None}
    return staged(
        records,
        {
            "source": "AIAAIC",
            "external_id": shown.get("external_id", "AIAAIC ID#"),
            "kind": shown.get("kind", "Type"),
            "title": shown.get("title", "Headline"),
            "date_text": "Occurred (else Released), as written",
            "year_start": "first year of Occurred (else Released)",
            "year_end": "last year (none for an open range such as 2018-)",
            "description": "System name(s), Technology(ies), Purpose(s)",
            "deployer": shown.get("deployer", "Deployer(s)"),
            "developer": shown.get("developer", "Developer(s)"),
            "harms": "External harms / …, Internal harms / … (sub-header: harms)",
            "category": shown.get("issues", "Issue(s)"),
            "sector": shown.get("sector", "Sector(s)"),
            "country": shown.get("country", "Country(ies)"),
            "url": shown.get("url", "Description/links"),
        },
        sheet=sheet.name,
        context={
            "header": f"rows {last_header - 1}-{last_header} (group and sub-header joined), data from row {last_header + 1}",
            "skipped rows": f"{skipped} (no id: blank rows, section dividers)",
            "year ranges": f"{ranges} records with a range or list of years",
            "lists": "'; '-separated, kept as written",
        },
        messages=messages,
    )


FORMATS = [
    Format("aiaaic-repository", TITLE, "table", ("external_incidents",), lambda t: bool(_matching(t)), stage)
]
