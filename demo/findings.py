"""Audit findings, nonconformities and actions, with the audit programme (one workbook, two sheets).

Planted, as of 2026-09-30: five actions overdue (F-008, F-015, F-018, F-019, F-024); several closed after
their due date; a repeat nonconformity on clause 9.1 (F-004 in 2025-09, F-021 in 2026-07); the internal
re-audit AUD-2026-04 planned for 2026-09-10 and not done.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .common import ORGANISATION, Sheet, write_workbook

D = dt.date

FINDING_HEADERS = (
    "Finding ID",
    "Source",
    "Type",
    "Clause or control",
    "Title",
    "Raised",
    "Due",
    "Closed",
    "Owner",
    "Status",
    "Effectiveness verified",
    "Audit ID",
)
AUDIT_HEADERS = ("Audit ID", "Scope", "Planned date", "Done date", "Auditor", "Type")

IA, EA, MR, INC = "Internal audit", "External audit", "Management review", "Incident"
FINDINGS = (
    ("F-001", IA, "Minor NC", "7.2", "Competence records missing for two data scientists", D(2025, 6, 12), D(2025, 8, 31), D(2025, 8, 20), "HR Business Partner", "Closed", "Yes", "AUD-2025-01"),
    ("F-002", IA, "Observation", "5.2", "AI policy not yet communicated to contractors", D(2025, 6, 12), D(2025, 9, 30), D(2025, 9, 12), "Chief Risk Officer", "Closed", None, "AUD-2025-01"),
    ("F-003", IA, "OFI", "A.4.2", "Resource documentation could link to the configuration database", D(2025, 6, 12), D(2025, 12, 31), D(2026, 1, 20), "Head of ML Ops", "Closed", None, "AUD-2025-01"),
    ("F-004", IA, "Minor NC", "9.1", "Monitoring thresholds not defined for claims triage", D(2025, 9, 18), D(2025, 11, 30), D(2025, 12, 15), "Head of ML Ops", "Closed", "Yes", "AUD-2025-02"),
    ("F-005", IA, "Minor NC", "A.6.2.4", "Validation report for the fraud model not signed off", D(2025, 9, 18), D(2025, 10, 31), D(2025, 10, 28), "Head of Data Science", "Closed", "Yes", "AUD-2025-02"),
    ("F-006", IA, "Observation", "8.4", "Impact assessment template lacks a societal section", D(2025, 9, 18), D(2025, 12, 31), D(2025, 12, 5), "Compliance Officer", "Closed", None, "AUD-2025-02"),
    ("F-007", EA, "Minor NC", "6.1.3", "SoA justifications missing for four controls", D(2025, 11, 20), D(2026, 1, 15), D(2026, 1, 12), "AIMS Manager", "Closed", "Yes", "AUD-2025-03"),
    ("F-008", EA, "OFI", "7.5.3", "Documented information could be kept in a single register", D(2025, 11, 20), D(2026, 3, 31), None, "AIMS Manager", "Open", None, "AUD-2025-03"),
    ("F-009", MR, "OFI", "9.3.3", "Define a KPI pack on AI objectives for the board", D(2025, 12, 10), D(2026, 3, 31), D(2026, 3, 25), "AIMS Manager", "Closed", None, None),
    ("F-010", MR, "OFI", "7.1", "Fund a second ML Ops engineer", D(2025, 12, 10), D(2026, 6, 30), D(2026, 5, 15), "CTO", "Closed", None, None),
    ("F-011", INC, "Minor NC", "A.5.4", "Impact on older applicants not assessed before release", D(2025, 11, 20), D(2026, 2, 28), D(2026, 4, 10), "Head of Lending Analytics", "Closed", "No", None),
    ("F-012", EA, "Minor NC", "A.8.4", "Incident communication procedure never tested", D(2026, 1, 28), D(2026, 4, 30), D(2026, 4, 22), "Compliance Officer", "Closed", "Yes", "AUD-2026-01"),
    ("F-013", EA, "Observation", "9.2.2", "Audit programme does not cover suppliers", D(2026, 1, 28), D(2026, 6, 30), D(2026, 6, 2), "Internal Audit Lead", "Closed", None, "AUD-2026-01"),
    ("F-014", EA, "Minor NC", "A.6.2.8", "Chatbot event logs kept for only 30 days", D(2026, 1, 28), D(2026, 5, 31), D(2026, 7, 9), "Head of Customer Service", "Closed", "Yes", "AUD-2026-01"),
    ("F-015", IA, "Minor NC", "A.10.3", "AI clauses missing in two supplier contracts", D(2026, 4, 22), D(2026, 7, 31), None, "Procurement Lead", "In progress", None, "AUD-2026-02"),
    ("F-016", IA, "OFI", "A.7.5", "Data lineage tooling could cover claims data", D(2026, 4, 22), D(2026, 12, 31), None, "Head of Data", "Open", None, "AUD-2026-02"),
    ("F-017", IA, "Observation", "A.9.4", "Intended-use statement of the chatbot outdated", D(2026, 4, 22), D(2026, 7, 31), D(2026, 7, 20), "Head of Customer Service", "Closed", None, "AUD-2026-02"),
    ("F-018", INC, "Major NC", "7.4", "Serious incident reported to the authority after the 2-day deadline", D(2026, 6, 20), D(2026, 8, 31), None, "Compliance Officer", "In progress", None, None),
    ("F-019", MR, "OFI", "9.3.3", "Commission an independent review of the credit scoring model", D(2026, 6, 18), D(2026, 9, 15), None, "Chief Risk Officer", "Open", None, None),
    ("F-020", MR, "OFI", "6.2", "Add a fairness objective for credit scoring", D(2026, 6, 18), D(2026, 10, 31), None, "AIMS Manager", "In progress", None, None),
    ("F-021", IA, "Major NC", "9.1", "Credit scoring accuracy breaches not escalated for seven weeks", D(2026, 7, 16), D(2026, 10, 15), None, "Head of ML Ops", "In progress", None, "AUD-2026-03"),
    ("F-022", IA, "Minor NC", "A.6.2.6", "Drift alerts routed to an unmonitored mailbox", D(2026, 7, 16), D(2026, 8, 31), D(2026, 9, 10), "Head of ML Ops", "Closed", None, "AUD-2026-03"),
    ("F-023", IA, "Observation", "9.3.2", "Monitoring results not yet an input to the management review", D(2026, 7, 16), D(2026, 11, 30), None, "AIMS Manager", "Open", None, "AUD-2026-03"),
    ("F-024", INC, "Minor NC", "A.7.4", "Data quality checks skipped in the income feature pipeline", D(2026, 8, 5), D(2026, 9, 20), None, "Head of Data", "Open", None, None),
    ("F-025", IA, "OFI", "10.1", "Lessons-learned log could feed the risk register", D(2025, 9, 18), D(2026, 3, 31), D(2026, 2, 10), "AIMS Manager", "Closed", None, "AUD-2025-02"),
    ("F-026", EA, "Observation", "A.5.3", "Impact assessment records kept on personal drives", D(2025, 11, 20), D(2026, 2, 28), D(2026, 3, 20), "Compliance Officer", "Closed", None, "AUD-2025-03"),
)  # fmt: skip

AUDITS = (
    ("AUD-2025-01", "Clauses 4-7; Annex A.2-A.4", D(2025, 6, 10), D(2025, 6, 12), "J. Okafor (internal audit)", "Internal"),
    ("AUD-2025-02", "Clauses 8-10; Annex A.5-A.6", D(2025, 9, 15), D(2025, 9, 18), "J. Okafor (internal audit)", "Internal"),
    ("AUD-2025-03", "Certification stage 1: AIMS documentation", D(2025, 11, 20), D(2025, 11, 20), "Certification body", "External"),
    ("AUD-2026-01", "Certification stage 2: whole AIMS", D(2026, 1, 26), D(2026, 1, 28), "Certification body", "External"),
    ("AUD-2026-02", "Annex A.7-A.10; supplier management", D(2026, 4, 20), D(2026, 4, 22), "M. Lindqvist (internal audit)", "Internal"),
    ("AUD-2026-03", "Clause 9.1 and A.6.2.6: model monitoring", D(2026, 7, 15), D(2026, 7, 16), "J. Okafor (internal audit)", "Internal"),
    ("AUD-2026-04", "Clauses 4-7 re-audit", D(2026, 9, 10), None, "M. Lindqvist (internal audit)", "Internal"),
    ("AUD-2026-05", "Surveillance audit 1", D(2026, 11, 24), None, "Certification body", "External"),
)  # fmt: skip


def write_findings(out: Path) -> list[Path]:
    path = out / "audit_findings_2026-09-30.xlsx"
    write_workbook(
        path,
        [
            Sheet("Findings", FINDING_HEADERS, [list(f) for f in FINDINGS]),
            Sheet("Audit programme", AUDIT_HEADERS, [list(a) for a in AUDITS]),
        ],
        f"{ORGANISATION} - audit findings and programme",
    )
    return [path]
