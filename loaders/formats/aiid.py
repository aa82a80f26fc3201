"""AI Incident Database (AIID) snapshot CSVs (`mongoexport`), into `external_incidents`.

`incidents.csv` (`_id, incident_id, date, reports, Alleged deployer …, Alleged developer …, Alleged harmed
or nearly harmed parties, description, title`) is the file to load. Its lists are JSON arrays of entity
slugs (`["navya","keolis-north-america"]`), joined with `; `. The snapshot's other files are read from the
same folder when they are there, recognised by their header (and namespace), whatever their names:

- `classifications_MIT.csv`: the MIT risk subdomain (`7.3. Lack of capability or robustness`) becomes the
  record's category (and its canonical `match_category`);
- `classifications_CSETv1.csv` (its `AI System` header appears twice: the second becomes `AI System__2`):
  published rows give the harm (`AI Harm Level: Tangible Harm`), sector and country (two letters);
- `duplicates.csv`: incidents listed there as duplicates are not loaded.

Loaded alone, those three files are refused with a message saying what they are. The URL is the
incident's AIID citation page, `https://incidentdatabase.ai/cite/<incident_id>`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ._base import Format, Refused, Sheet, Staged, Tables, dedupe, file_message
from ._external import Record, iso_day, staged

TITLE = "AI Incident Database snapshot incidents.csv"
_INCIDENTS = {"incident_id", "date", "reports", "title", "description"}
_CLASSES = {"namespace", "incident id", "published"}
_DUPLICATES = {"duplicate_incident_number", "true_incident_number"}


def _find(tables: Tables, keys: set[str]) -> Sheet | None:
    return next((s for s in tables.sheets if s.header_at(keys, within=2)), None)


def _incidents(tables: Tables) -> Sheet | None:
    sheet = _find(tables, _INCIDENTS)
    if sheet and any((c or "").lower().startswith("alleged deployer") for c in sheet.head[0][1]):
        return sheet
    return None


def _list(text: str | None) -> str | None:
    """A JSON array of slugs as `a; b`; other text as written."""
    if not text:
        return None
    try:
        items = json.loads(text)
    except ValueError:
        return text
    if isinstance(items, list):
        return "; ".join(str(i) for i in items if str(i).strip()) or None
    return text


def _siblings(path: Path) -> dict[str, Path]:
    """The snapshot's other CSVs in the same folder, recognised by their first line (not their name):
    `Namespace, Incident ID, Published …` (by the namespace in the first row) and the duplicates list."""
    found: dict[str, Path] = {}
    for other in sorted(path.parent.glob("*.csv")):
        if other == path or other.stat().st_size > 64 * 1024 * 1024:
            continue
        with other.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            reader = csv.reader(fh)
            header, first = next(reader, []), next(reader, [])
        keys = [h.strip().lower() for h in header]
        if keys[:3] == ["namespace", "incident id", "published"] and first:
            found.setdefault(first[0].strip(), other)
        elif {"duplicate_incident_number", "true_incident_number"} <= set(keys):
            found.setdefault("duplicates", other)
    return found


def _read_sibling(path: Path | None) -> list[dict[str, str]] | None:
    if path is None or not path.is_file():
        return None
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return []
    header = dedupe(rows[0])
    return [dict(zip(header, r, strict=False)) for r in rows[1:]]


def stage(tables: Tables, options) -> list[Staged]:
    sheet = _incidents(tables)
    header_row, _ = sheet.header_at(_INCIDENTS, within=2)
    headers = dedupe(next(cells for r, cells in sheet.head if r == header_row))
    col = {h: j for j, h in enumerate(headers)}
    siblings = _siblings(tables.path)
    used, messages = [], []
    mit = {r.get("Incident ID"): r for r in _read_sibling(siblings.get("MIT")) or []}
    cset = {
        r.get("Incident ID"): r
        for r in _read_sibling(siblings.get("CSETv1")) or []
        if (r.get("Published") or "").strip().lower() == "true"
    }
    dups_rows = _read_sibling(siblings.get("duplicates")) or []
    dups = {r.get("duplicate_incident_number"): r.get("true_incident_number") for r in dups_rows}
    for key, found in (("MIT", mit), ("CSETv1", cset)):
        if found:
            used.append(f"{siblings[key].name} ({len(found)} classified)")
    if dups_rows:
        used.append(f"{siblings['duplicates'].name} ({len(dups_rows)} duplicates listed)")

    def cell(cells, name):
        j = col.get(name)
        return cells[j] if j is not None and j < len(cells) else None

    deployer = next((h for h in headers if h.lower().startswith("alleged deployer")), "")
    developer = next((h for h in headers if h.lower().startswith("alleged developer")), "")
    harmed = next((h for h in headers if h.lower().startswith("alleged harmed")), "")
    records, dropped = [], []
    for row_no, cells in sheet.rows:
        if row_no <= header_row or not any(cells):
            continue
        ident = cell(cells, "incident_id")
        if ident in dups:
            dropped.append(f"{ident} (duplicate of {dups[ident]})")
            continue
        day = iso_day(cell(cells, "date"))
        m, c = mit.get(ident) or {}, cset.get(ident) or {}
        harm = ": ".join(x for x in (c.get("AI Harm Level"), c.get("Tangible Harm")) if x and x.strip())
        records.append(
            Record(
                row=row_no,
                source="AIID",
                external_id=ident,
                kind="incident",
                title=cell(cells, "title"),
                incident_date=day,
                date_text=cell(cells, "date"),
                year_start=int(day[:4]) if day else None,
                year_end=int(day[:4]) if day else None,
                description=cell(cells, "description"),
                deployer=_list(cell(cells, deployer)),
                developer=_list(cell(cells, developer)),
                harmed_parties=_list(cell(cells, harmed)),
                harms=harm or None,
                category=(m.get("Risk Subdomain") or m.get("Risk Domain") or "").strip() or None,
                sector=(c.get("Sector of Deployment") or "").strip() or None,
                country=(c.get("Location Country (two letters)") or "").strip() or None,
                url=f"https://incidentdatabase.ai/cite/{ident}" if ident else None,
            )
        )
    if dropped:
        messages.append(
            file_message(
                "duplicates_skipped",
                tables.path.name,
                "not loaded, listed in duplicates.csv: " + ", ".join(dropped),
            )
        )
    return [
        staged(
            records,
            {
                "source": "AIID",
                "external_id": "incident_id",
                "title": "title",
                "incident_date": "date (YYYY-MM-DD text)",
                "description": "description",
                "deployer": deployer or "deployer",
                "developer": developer or "developer",
                "harmed_parties": harmed or "harmed parties",
                "harms": "CSETv1 AI Harm Level: Tangible Harm",
                "category": "MIT Risk Subdomain",
                "sector": "CSETv1 Sector of Deployment",
                "country": "CSETv1 Location Country (two letters)",
                "url": "https://incidentdatabase.ai/cite/<incident_id>",
            },
            context={
                "read beside it": "; ".join(used)
                or "nothing (no classifications or duplicates.csv beside it)",
                "lists": "JSON arrays of entity slugs, joined with '; '",
                "not loaded": f"{len(dropped)} duplicates" if dropped else "-",
            },
            messages=messages,
        )
    ]


def _refuse_classes(tables: Tables, options) -> list[Staged]:
    sheet = _find(tables, _CLASSES)
    header_row, _ = sheet.header_at(_CLASSES, within=2)
    body = [cells for r, cells in sheet.rows if r > header_row and any(cells)]
    namespace = body[0][0] if body and body[0] else "?"
    headers = [h for h in next(cells for r, cells in sheet.head if r == header_row) if h]
    raise Refused(
        f"an AI Incident Database taxonomy file: the {namespace} classification of {len(body)} AIID incidents "
        f"({len(headers)} columns: {', '.join(headers[:6])} …), keyed by 'Incident ID'. It has no incident "
        "titles or dates of its own, so it is not loaded alone: load incidents.csv from the same snapshot "
        "folder, which reads this file beside it (the MIT risk subdomain becomes the category; CSETv1 gives "
        "harm, sector and country)"
    )


def _refuse_duplicates(tables: Tables, options) -> list[Staged]:
    sheet = _find(tables, _DUPLICATES)
    count = sum(1 for r, cells in sheet.rows if r > 1 and any(cells))
    raise Refused(
        f"the AI Incident Database duplicates list ({count} incident numbers merged into another: "
        "duplicate_incident_number -> true_incident_number), not incidents: load incidents.csv from the "
        "same snapshot folder, which leaves these duplicates out"
    )


FORMATS = [
    Format(
        "aiid-incidents", TITLE, "table", ("external_incidents",), lambda t: _incidents(t) is not None, stage
    ),
    Format(
        "aiid-classifications",
        "AI Incident Database taxonomy CSV (classifications_*.csv; read beside incidents.csv)",
        "table",
        (),
        lambda t: _find(t, _CLASSES) is not None,
        _refuse_classes,
    ),
    Format(
        "aiid-duplicates",
        "AI Incident Database duplicates.csv (read beside incidents.csv)",
        "table",
        (),
        lambda t: _find(t, _DUPLICATES) is not None,
        _refuse_duplicates,
    ),
]
