"""The Statement of Applicability, one workbook per quarter.

The story: the Annex A implementation rate (implemented / applicable) climbs from 14/36 to 29/36; two
controls (A.6.2.6 operation and monitoring, A.7.4 data quality) fall back to "Partially implemented" in
2026-Q3 after the credit-scoring drift; three controls keep evidence that goes stale (older than 12
months) in 2026.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .common import ORGANISATION, QUARTER_ENDS, QUARTERS, Sheet, read_catalog, rng, write_workbook

HEADERS = (
    "Control ID",
    "Control name",
    "Applicable?",
    "Implementation status",
    "Justification",
    "Owner",
    "Evidence",
    "Evidence date",
    "Last reviewed",
)

EXCLUDED = {
    "A.7.3": "Excluded: no data is acquired from third parties; all training data comes from the "
    "organisation's own policy, lending and claims systems (re-confirmed at each review)",
    "A.10.4": "Excluded: the organisation does not supply AI systems or AI components to customers; "
    "customer-facing use is covered by A.8.2 and A.9.4",
}
# Implemented per quarter: 14, 17, 20, 23, 26, then 29 (26 - 2 regressions + 5 new).
NEW_PER_QUARTER = (14, 3, 3, 3, 3, 5)
FIRST = ("A.2.2", "A.3.2", "A.2.3", "A.4.2", "A.2.4", "A.8.5", "A.5.2")  # implemented from the start
REGRESSED = {"A.6.2.6": 1, "A.7.4": 2}  # control -> quarter first implemented; partial again in 2026-Q3
NEVER = (6, 6, 7, 7, 8)  # virtual quarters of the controls still not implemented in 2026-Q3
# Evidence never refreshed after this date: stale once older than 12 months.
STALE_EVIDENCE = {"A.4.2": dt.date(2025, 4, 15), "A.2.4": dt.date(2025, 6, 10), "A.8.5": dt.date(2025, 8, 20)}
# Clauses not implemented from the start: subclause -> quarter implemented.
CLAUSE_FROM = {
    "6.1.4": 2,
    "6.2": 1,
    "7.2": 1,
    "8.4": 2,
    "9.1": 1,
    "9.2.1": 1,
    "9.2.2": 1,
    "9.3.2": 1,
    "9.3.3": 2,
    "10.1": 3,
}

OWNERS = {
    "A.2": "Chief Risk Officer",
    "A.3": "AIMS Manager",
    "A.4": "Head of ML Ops",
    "A.5": "Compliance Officer",
    "A.6": "Head of Data Science",
    "A.7": "Head of Data",
    "A.8": "Head of Customer Service",
    "A.9": "AIMS Manager",
    "A.10": "Procurement Lead",
}
REASONS = {
    "A.2": "Included: sets the direction and commitments for all AI use (risk treatment R-001, R-002)",
    "A.3": "Included: accountability for AI systems must be assigned and concerns raised safely",
    "A.4": "Included: AI systems depend on documented data, tooling, computing and people",
    "A.5": "Included: credit scoring is high risk under the EU AI Act; impacts must be assessed",
    "A.6": "Included: the organisation develops and operates its own models (risk treatment)",
    "A.7": "Included: models are trained on personal and claims data whose quality drives outcomes",
    "A.8": "Included: customers and regulators need information about AI-supported decisions",
    "A.9": "Included: AI outputs support decisions on loans and claims and need rules for use",
    "A.10": "Included: cloud and model suppliers support the AI systems",
}


def _group(control_id: str) -> str:
    return ".".join(control_id.split(".")[:2])


def _first_implemented(applicable: list[str]) -> dict[str, int]:
    """Quarter index from which each applicable Annex A control is implemented (6+ = not by 2026-Q3)."""
    r = rng("soa-order")
    rest = [c for c in applicable if c not in FIRST and c not in REGRESSED]
    r.shuffle(rest)
    order = list(FIRST) + rest
    order.insert(NEW_PER_QUARTER[0], "A.6.2.6")  # first of the 2025-Q3 group
    order.insert(NEW_PER_QUARTER[0] + NEW_PER_QUARTER[1], "A.7.4")  # first of the 2025-Q4 group
    first: dict[str, int] = {}
    position = 0
    for quarter, count in enumerate(NEW_PER_QUARTER):
        for control in order[position : position + count]:
            first[control] = quarter
        position += count
    for control, virtual in zip(order[position:], NEVER, strict=True):
        first[control] = virtual
    assert all(first[c] == q for c, q in REGRESSED.items())
    return first


def _status(first: int, quarter: int, *, regressed: bool = False) -> str:
    if regressed and quarter == len(QUARTERS) - 1:
        return "Partially implemented"
    ahead = first - quarter
    if ahead <= 0:
        return "Implemented"
    if ahead == 1:
        return "Partially implemented"
    if ahead == 2:
        return "Planned"
    return "Not assessed" if quarter <= 1 else "Not implemented"


def _evidence_name(control_id: str, title: str, status: str) -> str:
    if status in ("Planned", "Not implemented"):
        return f"Implementation plan AP-{control_id}: {title}"
    return f"AIMS-{control_id} {title} (document register)"


class _Evidence:
    """Evidence dates that are refreshed now and then, never older than ~9 months unless planted stale."""

    def __init__(self) -> None:
        self.r = rng("soa-evidence")
        self.dates: dict[str, dt.date] = {}
        self.statuses: dict[str, str] = {}

    def date(self, req: str, status: str, quarter_end: dt.date) -> dt.date | None:
        if status == "Not assessed":
            return None
        stale = STALE_EVIDENCE.get(req)
        if stale and stale <= quarter_end:
            self.dates[req] = stale
            return stale
        previous = self.dates.get(req)
        changed = self.statuses.get(req) != status
        self.statuses[req] = status
        if previous is None or changed or self.r.random() < 0.5 or (quarter_end - previous).days > 270:
            previous = quarter_end - dt.timedelta(days=self.r.randint(3, 80))
        self.dates[req] = previous
        return previous


def _row(req, title, applicable, status, justification, owner, evidence, quarter_end, review_rng):
    evidence_date = evidence.date(req, status, quarter_end)
    reviewed = None
    if status != "Not assessed":
        reviewed = quarter_end - dt.timedelta(days=review_rng.randint(0, 45))
        reviewed = max(reviewed, evidence_date) if evidence_date else reviewed
    return [
        req,
        title,
        "Yes" if applicable else "No",
        status,
        justification,
        owner,
        _evidence_name(req, title, status) if evidence_date else None,
        evidence_date,
        reviewed,
    ]


def soa_rows(quarter: int) -> list[list]:
    """All rows of the SoA as of QUARTERS[quarter]: the clause subclauses, then the Annex A controls."""
    catalog = read_catalog()
    clauses = [(c["id"], c["title"]) for c in catalog if c["kind"] == "subclause"]
    controls = [(c["id"], c["title"]) for c in catalog if c["kind"] == "control"]
    first = _first_implemented([c for c, _ in controls if c not in EXCLUDED])
    # Evidence history is replayed from the first quarter so each quarter's dates follow from the last.
    evidence, review_rng = _Evidence(), rng("soa-review")
    rows: list[list] = []
    for q in range(quarter + 1):
        end = QUARTER_ENDS[q]
        rows = []
        for req, title in clauses:
            status = _status(CLAUSE_FROM.get(req, 0), q)
            owner = "AIMS Manager" if not req.startswith("9.2") else "Internal Audit Lead"
            reason = "Mandatory requirement of ISO/IEC 42001 (clauses 4-10)"
            rows.append(_row(req, title, True, status, reason, owner, evidence, end, review_rng))
        for req, title in controls:
            owner = OWNERS[_group(req)]
            if req in EXCLUDED:
                rows.append(
                    [req, title, "No", None, EXCLUDED[req], owner, None, None, end - dt.timedelta(days=20)]
                )
                continue
            status = _status(first[req], q, regressed=req in REGRESSED)
            reason = REASONS[_group(req)]
            rows.append(_row(req, title, True, status, reason, owner, evidence, end, review_rng))
    return rows


def write_soa(out: Path) -> list[Path]:
    paths = []
    for q, label in enumerate(QUARTERS):
        path = out / f"soa_{label}.xlsx"
        title = f"{ORGANISATION} - Statement of Applicability (ISO/IEC 42001), as of {QUARTER_ENDS[q]}"
        sheet = Sheet("Statement of Applicability", HEADERS, soa_rows(q), title=title)
        write_workbook(path, [sheet], title)
        paths.append(path)
    return paths
