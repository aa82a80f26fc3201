"""CISO Assistant (intuitem): compliance-assessment exports, data-wizard import templates, framework
libraries.

Compliance assessment (audit) export, CSV (UTF-8 with BOM, `;`) or XLSX, into `controls`:
- one row per requirement node; section headings (`4`, `A.6.1`: XLSX `assessable` = False, or in the CSV
  a row with no result whose id has rows below it) are skipped;
- requirement = the id in the `urn` (`urn:intuitem:risk:req_node:iso42001-2023:A.6.2.6`), else `ref_id`;
  an assessment of another framework is refused;
- status = `compliance_result` (compliant -> implemented, partially_compliant -> partially_implemented,
  non_compliant -> not_implemented, not_assessed / blank -> not_assessed, not_applicable -> not
  applicable); `requirement_progress` (to_do … done) is the audit's workflow state, not the
  implementation: it is kept in the notes with `extended_result` (major_nonconformity …) and
  `observations`;
- `score` (or `implementation_score`, with `documentation_score` in the notes) is kept beside the
  status with its scale (0-5 for the ISO 42001 library; 0-100 when a score above 5 appears).

Import templates (`applied_controls`, `findings_assessment`, `incidents`): recognised by their columns and
loaded into the matching dataset when they carry its required fields, else refused saying what they are
and what is missing. A framework library (YAML) is a catalogue, not an assessment: refused.
"""

from __future__ import annotations

import re

from ._base import Document, Format, Refused, Sheet, Staged, Tables, cell_number, iso42001_id, norm

ASSESSMENT = "CISO Assistant compliance assessment export (CSV / XLSX)"
_ASSESSMENT_KEYS = {"complianceresult", "requirementprogress"}
_URN = re.compile(r"urn:[^:\s]+:risk:req_node:([^:\s]+):(\S+)")


def _assessment(tables: Tables) -> Sheet | None:
    for sheet in tables.sheets:
        found = sheet.header_at(_ASSESSMENT_KEYS, within=3)
        if found and {"urn", "refid"} & set(found[1]):
            return sheet
    return None


def stage_assessment(tables: Tables, options) -> list[Staged]:
    sheet = _assessment(tables)
    header_row, keys = sheet.header_at(_ASSESSMENT_KEYS, within=3)
    col = {k: j for j, k in enumerate(keys) if k}

    def cell(cells, key):
        j = col.get(key)
        return cells[j] if j is not None and j < len(cells) else None

    body = [(r, cells) for r, cells in sheet.rows if r > header_row and any(cells)]
    frameworks = {m[1] for _, cells in body if (m := _URN.search(cell(cells, "urn") or ""))}
    foreign = frameworks - {"iso42001-2023"}
    if foreign:
        raise Refused(
            f"a {ASSESSMENT} of framework {', '.join(sorted(foreign))} ({len(body)} requirement rows), not "
            "ISO/IEC 42001: the controls dataset holds ISO/IEC 42001 clauses and Annex A controls "
            "(urn …:iso42001-2023:<ref>); missing: requirement ids of ISO/IEC 42001"
        )
    results = ("complianceresult", "extendedresult", "requirementprogress", "score", "implementationscore")
    refs = [_ref(cell(c, "urn"), cell(c, "refid")) for _, c in body]
    rows, skipped, scores = [], [], []
    for (row_no, cells), ref in zip(body, refs, strict=True):
        assessable = (cell(cells, "assessable") or "").strip().lower()
        empty = not any(cell(cells, k) for k in results)
        has_children = bool(ref) and any(o and o.startswith(ref + ".") for o in refs)
        if assessable in ("false", "0", "no") or (assessable == "" and empty and (not ref or has_children)):
            skipped.append(ref or f"row {row_no}")
            continue
        score = cell(cells, "implementationscore") or cell(cells, "score")
        notes = [
            f"{label}: {cell(cells, key)}"
            for label, key in (
                ("observations", "observations"),
                ("extended result", "extendedresult"),
                ("progress", "requirementprogress"),
                ("documentation score", "documentationscore"),
            )
            if cell(cells, key)
        ]
        scores.append(cell_number(score))
        rows.append(
            (row_no, [ref, cell(cells, "name"), cell(cells, "complianceresult"), "; ".join(notes) or None])
        )
    numbers = [s for s in scores if s is not None]
    scale = None if not numbers else "0-100" if max(numbers) > 5 else "0-5"
    return [
        Staged(
            dataset="controls",
            fields=["requirement_id", "title", "status", "notes"],
            sources={
                "requirement_id": "urn (…:iso42001-2023:<ref>), else ref_id",
                "title": "name",
                "status": "compliance_result",
                "notes": "observations, extended_result, requirement_progress, documentation_score",
            },
            rows=rows,
            sheet=sheet.name,
            context={
                "framework": ", ".join(sorted(frameworks)) or "ISO/IEC 42001 (by ref_id)",
                "section rows skipped": f"{len(skipped)} ({', '.join(skipped[:8])}{' …' if len(skipped) > 8 else ''})",
                "score": f"kept beside the status, scale {scale}" if scale else "none in the file",
            },
            value_maps={
                "requirement_progress": {
                    "to_do … done": "kept in notes (the audit's workflow, not the status)"
                }
            },
            extras={
                "score": [None if s is None else str(s) for s in scores],
                "score_scale": [scale] * len(rows),
            },
        )
    ]


def _ref(urn: str | None, ref_id: str | None) -> str | None:
    if urn and (m := _URN.search(urn)):
        return m[2]
    return ref_id


# --- import templates ----------------------------------------------------------------------------------------

_APPLIED = {"name", "category", "csffunction", "status", "refid"}
_FINDINGS = {"refid", "name", "severity", "status"}
_INCIDENTS = {"refid", "name", "status", "severity", "detection"}
_APPLIED_STATUS = {
    "active": "Implemented",
    "in_progress": "In progress",
    "degraded": "Partial",
    "on_hold": "Planned",
    "to_do": "Not started",
    "deprecated": "Not implemented",
    "--": "Not assessed",
}
_FINDING_STATUS = {
    "identified": "Open",
    "confirmed": "Open",
    "assigned": "In progress",
    "in_progress": "In progress",
    "mitigated": "Closed",
    "resolved": "Closed",
    "dismissed": "Closed",
    "deprecated": "Closed",
}
_INCIDENT_SEVERITY = {"1": "Critical", "2": "Major", "3": "Moderate", "4": "Minor", "5": "Low"}
_DETECTED = ("reportedat", "detectedat", "datedetected", "detectiondate", "detected", "incidentdate", "date")


def _template(tables: Tables, keys: set[str], absent: set[str] = frozenset()):
    for sheet in tables.sheets:
        found = sheet.header_at(keys, within=2)
        if found and not (absent & set(found[1])):
            return sheet, found
    return None


def _body(sheet: Sheet, header_row: int):
    return [(r, cells) for r, cells in sheet.rows if r > header_row and any(cells)]


def _getter(keys: list[str]):
    col = {k: j for j, k in enumerate(keys) if k}

    def cell(cells, key):
        j = col.get(key)
        return cells[j] if j is not None and j < len(cells) else None

    return cell, col


def stage_applied(tables: Tables, options) -> list[Staged]:
    sheet, (header_row, keys) = _template(tables, _APPLIED)
    cell, _ = _getter(keys)
    body = _body(sheet, header_row)
    ids = [cell(c, "refid") for _, c in body]
    resolved = [iso42001_id(i) for i in ids]
    if not body or not all(resolved):
        shown = ", ".join(repr(i) for i in ids[:3] if i)
        raise Refused(
            f"a CISO Assistant applied-controls import template ({len(body)} applied controls; columns "
            f"{', '.join([c for c in next(cells for r, cells in sheet.head if r == header_row) if c][:8])} …): an "
            f"inventory of security measures with their own ids ({shown} …), not an assessment of ISO/IEC "
            "42001 requirements. The controls dataset needs requirement_id (an ISO/IEC 42001 clause 4.1-10.2 "
            "or Annex A control A.2.2-A.10.4) and status; missing: requirement_id (ref_id holds no ISO/IEC "
            "42001 id; reference_control is a reference-control library entry, not a requirement)"
        )
    rows = [
        (
            r,
            [
                cell(c, "refid"),
                cell(c, "name"),
                _APPLIED_STATUS.get(cell(c, "status") or "--", cell(c, "status")),
                cell(c, "observation"),
            ],
        )
        for r, c in body
    ]
    return [
        Staged(
            dataset="controls",
            fields=["requirement_id", "title", "status", "notes"],
            sources={"requirement_id": "ref_id", "title": "name", "status": "status", "notes": "observation"},
            rows=rows,
            sheet=sheet.name,
            value_maps={"status (applied control)": dict(_APPLIED_STATUS)},
        )
    ]


def stage_findings(tables: Tables, options) -> list[Staged]:
    sheet, (header_row, keys) = _template(tables, _FINDINGS, {"detection"})
    cell, _ = _getter(keys)
    body = _body(sheet, header_row)
    missing = [k for k in ("refid", "status") if not all(cell(c, k) for _, c in body)]
    if not body or missing:
        raise Refused(
            f"a CISO Assistant findings import template ({len(body)} findings) without "
            f"{' and '.join(missing) or 'rows'} on every row; the findings dataset needs finding_id and status"
        )
    rows = [
        (
            r,
            [
                cell(c, "refid"),
                "Other",
                cell(c, "name"),
                cell(c, "description"),
                _FINDING_STATUS.get((cell(c, "status") or "").lower(), cell(c, "status")),
            ],
        )
        for r, c in body
    ]
    return [
        Staged(
            dataset="findings",
            fields=["finding_id", "source", "title", "description", "status"],
            sources={
                "finding_id": "ref_id",
                "source": "other (a findings assessment)",
                "title": "name",
                "description": "description",
                "status": "status",
            },
            rows=rows,
            sheet=sheet.name,
            context={
                "not kept": "severity, filtering_labels, asset (the findings dataset has no such fields)"
            },
            value_maps={"status (CISO Assistant finding)": dict(_FINDING_STATUS)},
        )
    ]


def stage_incidents(tables: Tables, options) -> list[Staged]:
    sheet, (header_row, keys) = _template(tables, _INCIDENTS)
    cell, col = _getter(keys)
    body = _body(sheet, header_row)
    detected = next((k for k in _DETECTED if k in col), None)
    if detected is None:
        raise Refused(
            f"a CISO Assistant incidents import template ({len(body)} incidents; columns "
            f"{', '.join(c for c in next(cells for r, cells in sheet.head if r == header_row) if c)}). The "
            "incidents dataset needs incident_id, detected_date, severity and status; missing: detected_date "
            "(CISO Assistant keeps reported_at outside this template: add a 'reported_at' or 'Date detected' "
            "column)"
        )
    rows = [
        (
            r,
            [
                cell(c, "refid"),
                cell(c, "name"),
                cell(c, "description"),
                cell(c, detected),
                _INCIDENT_SEVERITY.get((cell(c, "severity") or "").strip(), cell(c, "severity")),
                cell(c, "status"),
            ],
        )
        for r, c in body
    ]
    return [
        Staged(
            dataset="incidents",
            fields=["incident_id", "title", "description", "detected_date", "severity", "status"],
            sources={
                "incident_id": "ref_id",
                "title": "name",
                "description": "description",
                "detected_date": next(
                    h
                    for h in next(cells for r, cells in sheet.head if r == header_row)
                    if h and norm(h) == detected
                ),
                "severity": "severity (1 Critical … 5 Low)",
                "status": "status",
            },
            rows=rows,
            sheet=sheet.name,
            value_maps={"severity (CISO Assistant 1-5)": dict(_INCIDENT_SEVERITY)},
        )
    ]


# --- framework library (YAML) --------------------------------------------------------------------------------


def _library(doc: Document) -> bool:
    return doc.kind == "yaml" and "urn:intuitem:risk:library:" in doc.text


def refuse_library(doc: Document, options) -> list[Staged]:
    text = doc.text
    ref = re.search(r"^ref_id:\s*'?([^'\n]+)", text, re.M)
    nodes = len(re.findall(r"^\s*-\s*urn:\s*urn:[^:\s]+:risk:req_node:", text, re.M))
    assessable = len(re.findall(r"^\s*assessable:\s*true\s*$", text, re.M))
    name = ref[1].strip() if ref else "?"
    iso = "iso42001" in name
    raise Refused(
        f"a CISO Assistant framework library (YAML) for {name}: a catalogue of {nodes} requirement nodes "
        f"({assessable} assessable) with their ids and titles, not an assessment: no requirement has a "
        "status. Missing: status (compliance_result) per requirement. Load a compliance-assessment export "
        "of this framework (the audit's CSV or XLSX export) instead"
        + ("; the ISO/IEC 42001 ids it lists are the dashboard's own catalogue already" if iso else "")
    )


FORMATS = [
    Format(
        "ciso-library",
        "CISO Assistant framework library YAML (a catalogue; refused)",
        "document",
        (),
        _library,
        refuse_library,
    ),
    Format(
        "ciso-assessment",
        ASSESSMENT,
        "table",
        ("controls",),
        lambda t: _assessment(t) is not None,
        stage_assessment,
    ),
    Format(
        "ciso-applied-controls",
        "CISO Assistant applied-controls import template",
        "table",
        ("controls",),
        lambda t: _template(t, _APPLIED) is not None,
        stage_applied,
    ),
    Format(
        "ciso-incidents",
        "CISO Assistant incidents import template",
        "table",
        ("incidents",),
        lambda t: _template(t, _INCIDENTS) is not None,
        stage_incidents,
    ),
    Format(
        "ciso-findings",
        "CISO Assistant findings import template",
        "table",
        ("findings",),
        lambda t: _template(t, _FINDINGS, {"detection"}) is not None,
        stage_findings,
    ),
]
