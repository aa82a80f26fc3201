"""The AI risk register, one workbook per quarter (a complete snapshot each time).

Risks R-024, R-025, R-026 and R-027 are added over the quarters, R-007 is removed from 2026-Q1 on.
R-026 (income drift in credit scoring) enters in 2026-Q2 at likelihood x impact 5 x 4 with no
treatment decided yet: the risk above appetite without treatment. Some owners write likelihood and
impact as words, others as numbers, as real registers do.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .common import ORGANISATION, QUARTER_ENDS, QUARTERS, Sheet, rng, write_workbook

HEADERS = (
    "Risk ID",
    "Title",
    "AI system",
    "Category",
    "Likelihood",
    "Impact",
    "Residual likelihood",
    "Residual impact",
    "Owner",
    "Treatment",
    "Status",
    "Next review",
    "Linked controls",
)
LIKELIHOOD = ("Rare", "Unlikely", "Possible", "Likely", "Almost certain")
IMPACT = ("Negligible", "Minor", "Moderate", "Major", "Severe")
LAST = len(QUARTERS) - 1

CS, CT, CB, FD = "Credit scoring", "Claims triage", "Customer chatbot", "Fraud detection"
# id, title, system, category, (likelihood, impact), (residual likelihood, residual impact), owner,
# treatment, linked controls, first quarter, last quarter (index into QUARTERS)
RISKS = (
    ("R-001", "AI policy not followed by business units", None, "Governance", (3, 3), (2, 3), "Chief Risk Officer", "Mitigate", "A.2.2, A.2.3", 0, LAST),
    ("R-002", "Unclear accountability for model-supported decisions", None, "Governance", (3, 4), (2, 3), "AIMS Manager", "Mitigate", "A.3.2", 0, LAST),
    ("R-003", "Credit scoring disadvantages protected groups", CS, "Bias and fairness", (3, 5), (2, 4), "Head of Lending Analytics", "Mitigate", "A.5.4, A.7.4, A.6.2.4", 0, LAST),
    ("R-004", "Credit scoring accuracy degrades undetected", CS, "Model performance", (3, 4), (2, 4), "Head of Lending Analytics", "Mitigate", "A.6.2.6, A.6.2.4", 0, LAST),
    ("R-005", "Applicants cannot obtain an explanation of a decision", CS, "Transparency", (3, 3), (2, 3), "Head of Lending Analytics", "Mitigate", "A.8.2, A.9.4", 0, LAST),
    ("R-006", "Training data holds personal data beyond its purpose", CS, "Privacy", (2, 4), (2, 3), "Head of Data", "Mitigate", "A.7.2, A.7.5", 0, LAST),
    ("R-007", "Legacy scorecard still used by brokers", CS, "Compliance", (3, 3), (3, 2), "Head of Lending Analytics", "Accept", "A.9.2", 0, 2),
    ("R-008", "Complex claims routed to the fast track", CT, "Model performance", (3, 3), (2, 3), "Head of Claims Operations", "Mitigate", "A.6.2.6", 0, LAST),
    ("R-009", "Poor data quality from the new claims intake form", CT, "Data quality", (4, 3), (2, 3), "Head of Data", "Mitigate", "A.7.4, A.7.6", 0, LAST),
    ("R-010", "Adjusters over-rely on the triage score", CT, "Human oversight", (3, 3), (2, 2), "Head of Claims Operations", "Mitigate", "A.9.2, A.9.3", 0, LAST),
    ("R-011", "Chatbot gives incorrect policy information", CB, "Model performance", (4, 3), (3, 3), "Head of Customer Service", "Mitigate", "A.8.2, A.6.2.4", 0, LAST),
    ("R-012", "Prompt injection exposes customer data through the chatbot", CB, "Security", (3, 5), (2, 4), "CISO", "Mitigate", "A.6.2.8, A.4.4", 0, LAST),
    ("R-013", "Language-model provider changes its model without notice", CB, "Third party", (3, 3), (3, 2), "Procurement Lead", "Transfer", "A.10.3, A.10.2", 0, LAST),
    ("R-014", "Customers not told that they talk to an AI system", CB, "Transparency", (2, 4), (1, 4), "Head of Customer Service", "Mitigate", "A.8.2, A.8.5", 0, LAST),
    ("R-015", "Fraud model flags claims from some postcodes disproportionately", FD, "Bias and fairness", (3, 4), (2, 4), "Head of Financial Crime", "Mitigate", "A.5.4, A.7.4", 0, LAST),
    ("R-016", "Shadow-mode fraud scores leak into claim decisions", FD, "Human oversight", (2, 4), (1, 4), "Head of Financial Crime", "Avoid", "A.9.4, A.6.2.5", 0, LAST),
    ("R-017", "Too few ML Ops staff to monitor production models", None, "Resources", (4, 3), (3, 3), "CTO", "Mitigate", "A.4.6, A.4.2", 0, LAST),
    ("R-018", "Cloud computing capacity unavailable for retraining", None, "Resources", (2, 3), (2, 2), "CTO", "Transfer", "A.4.5, A.10.3", 0, LAST),
    ("R-019", "Model artefacts cannot be reproduced", None, "Robustness", (3, 3), (2, 3), "Head of Data Science", "Mitigate", "A.6.2.3, A.6.2.7", 0, LAST),
    ("R-020", "Event logs insufficient to investigate incidents", None, "Security", (3, 3), (2, 3), "CISO", "Mitigate", "A.6.2.8", 0, LAST),
    ("R-021", "Serious incidents not reported to the authority in time", CS, "Compliance", (2, 5), (2, 4), "Compliance Officer", "Mitigate", "A.8.4, A.8.3", 0, LAST),
    ("R-022", "Staff unaware of the channel for AI concerns", None, "Governance", (3, 2), (2, 2), "AIMS Manager", "Accept", "A.3.3", 0, LAST),
    ("R-023", "Impact assessments out of date", None, "Compliance", (3, 4), (2, 4), "Compliance Officer", "Mitigate", "A.5.2, A.5.3", 0, LAST),
    ("R-024", "EU AI Act obligations for high-risk systems missed", CS, "Compliance", (3, 5), (2, 4), "Compliance Officer", "Mitigate", "A.5.2, A.6.2.2", 1, LAST),
    ("R-025", "Claims crafted to evade the fraud model", FD, "Security", (3, 4), (3, 3), "Head of Financial Crime", "Mitigate", "A.6.2.4", 2, LAST),
    ("R-026", "Income feature drift after the tax-rule change", CS, "Data quality", (5, 4), (5, 4), "Head of Lending Analytics", None, "A.7.4, A.6.2.6", 4, LAST),
    ("R-027", "Chatbot answers on the new pet insurance product untested", CB, "Model performance", (3, 3), (2, 3), "Head of Customer Service", "Mitigate", "A.6.2.4, A.9.4", 5, LAST),
)  # fmt: skip
# Residuals that rise again once the credit-scoring drift is under way (2026-Q2 on).
REALISED = {"R-004": (4, 4), "R-021": (3, 4)}
OVERDUE_REVIEW = {"R-019": 20, "R-022": 45}  # days past their next review at 2026-09-30


def _status(treatment: str | None, settled: bool) -> str:
    if treatment is None:
        return "Open"
    if treatment == "Accept":
        return "Accepted"
    return "Monitored" if settled else "In treatment"


def register_rows(quarter: int) -> list[list]:
    r = rng("risks")
    words = {risk[0]: r.random() < 0.5 for risk in RISKS}
    settle = {risk[0]: r.randint(0, 3) for risk in RISKS}
    review = [[r.randint(14, 110) for _ in QUARTERS] for _ in RISKS]
    end = QUARTER_ENDS[quarter]
    rows = []
    for index, (
        rid,
        title,
        system,
        category,
        inherent,
        residual,
        owner,
        treatment,
        links,
        first,
        last,
    ) in enumerate(RISKS):
        if not first <= quarter <= last:
            continue
        settled = quarter >= first + max(settle[rid], 1 if first else 0)  # new risks start in treatment
        res_l, res_i = residual if settled else (min(inherent[0], residual[0] + 1), residual[1])
        if rid in REALISED and quarter >= 4:
            res_l, res_i = REALISED[rid]
            settled = False  # back in treatment
        next_review = end + dt.timedelta(days=review[index][quarter])
        if rid in OVERDUE_REVIEW and quarter == LAST:
            next_review = end - dt.timedelta(days=OVERDUE_REVIEW[rid])
        scale = [inherent[0], inherent[1], res_l, res_i]
        if words[rid]:
            scale = [
                LIKELIHOOD[scale[0] - 1],
                IMPACT[scale[1] - 1],
                LIKELIHOOD[scale[2] - 1],
                IMPACT[scale[3] - 1],
            ]
        rows.append(
            [
                rid,
                title,
                system,
                category,
                *scale,
                owner,
                treatment,
                _status(treatment, settled),
                next_review,
                links,
            ]
        )
    return rows


def write_risks(out: Path) -> list[Path]:
    paths = []
    for q, label in enumerate(QUARTERS):
        path = out / f"risk_register_{label}.xlsx"
        title = f"{ORGANISATION} - AI risk register, as of {QUARTER_ENDS[q]}"
        write_workbook(path, [Sheet("Risk register", HEADERS, register_rows(q), title=title)], title)
        paths.append(path)
    return paths
