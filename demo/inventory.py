"""The AI-system inventory and the AI objectives (6.2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .common import ORGANISATION, SYSTEMS, Sheet, write_workbook
from .monitoring import series

SYSTEM_HEADERS = (
    "System ID",
    "Name",
    "Owner",
    "Business unit",
    "EU AI Act risk class",
    "Lifecycle status",
    "Intended purpose",
    "Last impact assessment",
)

OBJECTIVE_HEADERS = (
    "Objective ID",
    "Objective",
    "Measure",
    "Target",
    "Direction",
    "Unit",
    "Owner",
    "Due date",
    "Current value",
    "AI system",
)

OBJECTIVES = (
    (
        "OBJ-01",
        "Keep credit scoring accuracy at or above 85% on the monthly validation sample",
        "accuracy",
        0.85,
        "at least",
        "ratio",
        "Head of Lending Analytics",
        dt.date(2026, 12, 31),
        None,  # from monitoring
        "Credit scoring",
    ),
    (
        "OBJ-02",
        "Answer customer chatbot questions within 2.5 seconds",
        "latency_ms",
        2500,
        "at most",
        "ms",
        "Head of Customer Service",
        dt.date(2026, 12, 31),
        None,  # from monitoring
        "Customer chatbot",
    ),
    (
        "OBJ-03",
        "Keep input drift of the claims triage model within PSI 0.2",
        "psi",
        0.2,
        "at most",
        "PSI",
        "Head of Claims Operations",
        dt.date(2026, 12, 31),
        None,  # from monitoring
        "Claims triage",
    ),
    (
        "OBJ-04",
        "Implement 80% of the applicable Annex A controls",
        "manual",
        80,
        "at least",
        "%",
        "AIMS Manager",
        dt.date(2026, 9, 30),
        80.6,  # 29 of 36 applicable controls, as in the 2026-Q3 SoA
        None,
    ),
    (
        "OBJ-05",
        "Close 90% of corrective actions by their due date",
        "manual",
        90,
        "at least",
        "%",
        "AIMS Manager",
        dt.date(2026, 12, 31),
        65,  # 11 of the 17 closed actions closed on time
        None,
    ),
)


# Objectives measured by monitoring report the mean of the last 30 days: (system slug, metric, feature)
MEASURED = {
    "OBJ-01": ("credit-scoring", "accuracy", None),
    "OBJ-02": ("customer-chatbot", "latency_ms", None),
    "OBJ-03": ("claims-triage", "psi", "claim_amount"),
}


def _current(slug: str, metric: str, feature: str | None) -> float:
    values = [row[5] for row in series(slug) if row[3] == metric and row[4] == feature][-30:]
    mean = sum(values) / len(values)
    return round(mean) if metric == "latency_ms" else round(mean, 4)


def objective_rows() -> list[list]:
    rows = []
    for objective in OBJECTIVES:
        row = list(objective)
        if row[0] in MEASURED:
            row[8] = _current(*MEASURED[row[0]])
        rows.append(row)
    return rows


def write_inventory(out: Path) -> list[Path]:
    systems = [
        [
            s.system_id,
            s.name,
            s.owner,
            s.business_unit,
            s.risk_class,
            s.lifecycle,
            s.purpose,
            s.last_impact_assessment,
        ]
        for s in SYSTEMS
    ]
    inventory = out / "ai_systems_2026-09-30.xlsx"
    write_workbook(
        inventory, [Sheet("AI systems", SYSTEM_HEADERS, systems)], f"{ORGANISATION} - AI-system inventory"
    )
    objectives = out / "objectives_2026-09-30.xlsx"
    write_workbook(
        objectives,
        [Sheet("Objectives", OBJECTIVE_HEADERS, objective_rows())],
        f"{ORGANISATION} - AI objectives",
    )
    return [inventory, objectives]
