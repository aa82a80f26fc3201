"""The organisation's AI incident log (one CSV, about ten incidents a quarter).

Planted: two serious incidents under the EU AI Act on the high-risk credit-scoring system, one
reported within its 15-day deadline (2025-11) and one reported five days after awareness on a 2-day
deadline (2026-06, the missed one); "Model drift" recurs, on claims triage in 2025 and on credit
scoring from 2026-05.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .common import END, QUARTERS, SYSTEMS, quarter_end, quarter_start, rng, write_csv

HEADERS = (
    "Incident ID",
    "Title",
    "AI system",
    "Date detected",
    "Date reported",
    "Date resolved",
    "Severity",
    "Status",
    "Category",
    "Root cause",
    "Linked control",
    "Serious incident",
    "Awareness date",
    "Deadline class",
    "Reported to authority",
)
RANDOM_PER_QUARTER = 9
SEVERITIES = (("Low", 40, 45), ("Medium", 35, 30), ("High", 20, 20), ("Critical", 5, 7))  # weight, max days

# category -> (title, root cause, linked control, systems it can happen on; None = any)
KINDS = {
    "Model drift": [
        ("Prediction drift alert on {system}", "Seasonal shift in the input population", "A.6.2.6", ("Claims triage", "Fraud detection", "Customer chatbot")),
    ],
    "Data quality": [
        ("Missing values in an input feed of {system}", "Upstream schema change not announced", "A.7.4", None),
        ("Duplicate records in the {system} scoring batch", "Retry logic in the nightly load", "A.7.6", ("Credit scoring", "Claims triage", "Fraud detection")),
    ],
    "Availability": [
        ("{system} unavailable during business hours", "Cloud region outage", "A.4.5", None),
        ("{system} slow after a release", "Release deployed without a load test", "A.6.2.5", None),
    ],
    "Incorrect output": [
        ("Chatbot quoted a wrong policy excess", "Knowledge base not updated after a product change", "A.6.2.4", ("Customer chatbot",)),
        ("Claim routed to the wrong queue", "Rule overlap between model and business rules", "A.6.2.4", ("Claims triage",)),
    ],
    "Bias / fairness": [
        ("Customer complaint about an unequal outcome", "Proxy variable for a protected attribute", "A.5.4", ("Credit scoring", "Fraud detection")),
    ],
    "Security": [
        ("Prompt injection attempt detected", "Input filter did not cover a new pattern", "A.6.2.8", ("Customer chatbot",)),
        ("Unusual access to model endpoint", "Service account with excessive rights", "A.4.4", None),
    ],
    "Privacy": [
        ("Personal data visible in a transcript export", "Masking rule missing for a new field", "A.7.5", ("Customer chatbot",)),
    ],
    "Human oversight": [
        ("Decision taken without the required human review", "Queue pressure at month end", "A.9.2", ("Credit scoring", "Claims triage")),
    ],
}  # fmt: skip

CS = "Credit scoring"
# title, system, detected, severity, category, root cause, control, resolved, status, serious
# (awareness, deadline class, reported to authority) or None
PLANTED = (
    ("Claims triage accuracy drop after motor product relaunch", "Claims triage", dt.date(2025, 8, 12), "Medium", "Model drift", "New product mix not in the training data", "A.6.2.6", dt.date(2025, 8, 29), "Closed", None),
    ("Applicants over 60 scored lower after a feature change", CS, dt.date(2025, 11, 3), "High", "Bias / fairness", "Age proxy introduced with the tenure feature", "A.5.4", dt.date(2025, 11, 28), "Closed", (dt.date(2025, 11, 5), "15 days", dt.date(2025, 11, 17))),
    ("PSI alert on the income feature", CS, dt.date(2026, 5, 4), "Low", "Model drift", "Tax-rule change shifted declared incomes", "A.6.2.6", dt.date(2026, 5, 20), "Resolved", None),
    ("Eligible applicants declined across all branches", CS, dt.date(2026, 6, 8), "Critical", "Model drift", "Drifted model not retrained; alerts went to an unmonitored mailbox", "A.6.2.6", dt.date(2026, 7, 3), "Closed", (dt.date(2026, 6, 10), "2 days", dt.date(2026, 6, 15))),
    ("Credit scoring accuracy below 85% for a third week", CS, dt.date(2026, 7, 14), "High", "Model drift", "Income drift; retraining delayed", "A.6.2.6", None, "Mitigated", None),
    ("Drift on the age feature after the emergency retraining", CS, dt.date(2026, 8, 25), "Medium", "Model drift", "Under investigation", "A.7.4", None, "Investigating", None),
)  # fmt: skip


def _random_incidents() -> list[dict]:
    r = rng("incidents")
    names = [s.name for s in SYSTEMS]
    out = []
    for label in QUARTERS:
        start, end = quarter_start(label), quarter_end(label)
        for _ in range(RANDOM_PER_QUARTER):
            category = r.choice(sorted(KINDS))
            title, cause, control, allowed = r.choice(KINDS[category])
            system = r.choice(allowed or names)
            detected = start + dt.timedelta(days=r.randint(0, (end - start).days))
            severity, _, max_days = r.choices(SEVERITIES, weights=[s[1] for s in SEVERITIES])[0]
            days = r.randint(1, max_days)
            resolved = detected + dt.timedelta(days=days)
            if resolved > END:
                resolved, status = None, r.choice(("Open", "Investigating", "Mitigated"))
            else:
                status = "Closed" if (END - resolved).days > 30 and r.random() < 0.8 else "Resolved"
            out.append(
                {
                    "title": title.format(system=system),
                    "system": system,
                    "detected": detected,
                    "reported": detected
                    + dt.timedelta(days=min(r.choice((0, 0, 1, 1, 2, 3)), days, (END - detected).days)),
                    "resolved": resolved,
                    "severity": severity,
                    "status": status,
                    "category": category,
                    "cause": cause,
                    "control": control,
                    "serious": None,
                }
            )
    return out


def incident_rows() -> list[list]:
    incidents = _random_incidents()
    for title, system, detected, severity, category, cause, control, resolved, status, serious in PLANTED:
        incidents.append(
            {
                "title": title,
                "system": system,
                "detected": detected,
                "reported": detected + dt.timedelta(days=1),
                "resolved": resolved,
                "severity": severity,
                "status": status,
                "category": category,
                "cause": cause,
                "control": control,
                "serious": serious,
            }
        )
    incidents.sort(key=lambda i: (i["detected"], i["title"]))
    rows = []
    for number, i in enumerate(incidents, start=1):
        awareness, deadline, authority = i["serious"] or (None, None, None)
        rows.append(
            [
                f"INC-{number:03d}",
                i["title"],
                i["system"],
                i["detected"],
                i["reported"],
                i["resolved"],
                i["severity"],
                i["status"],
                i["category"],
                i["cause"],
                i["control"],
                "Yes" if i["serious"] else "No",
                awareness,
                deadline,
                authority,
            ]
        )
    return rows


def write_incidents(out: Path) -> list[Path]:
    path = out / "incident_log_2026-09-30.csv"
    write_csv(path, HEADERS, incident_rows())
    return [path]
