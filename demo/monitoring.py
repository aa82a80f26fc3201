"""Daily model-monitoring exports, one CSV per AI system (2025-04-01 .. 2026-09-30).

Every system reports accuracy (lower threshold 0.85), PSI drift on one or two input features (upper
threshold 0.2) and latency in milliseconds (upper threshold per system). Credit scoring degrades from
2026-04-01: its accuracy falls below 0.85 during 2026-Q2 and stays mostly below in 2026-Q3, and the
PSI of its income feature climbs past 0.2. Before 2026-Q2 its accuracy never breaches. The other systems
stay healthy apart from a few planted one-day breaches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .common import END, START, SYSTEM_BY_SLUG, SYSTEMS, rng, write_csv

HEADERS = (
    "timestamp",
    "ai_system",
    "model_version",
    "metric",
    "feature",
    "value",
    "lower_threshold",
    "upper_threshold",
)
ACCURACY_LOWER = 0.85
PSI_UPPER = 0.2
DEGRADING = "credit-scoring"
DEGRADE_FROM = dt.date(2026, 4, 1)


@dataclass(frozen=True)
class Profile:
    accuracy: float  # healthy mean
    features: tuple[str, ...]  # PSI is reported per feature
    latency: int  # healthy mean, ms
    latency_upper: int
    versions: tuple[tuple[dt.date, str], ...]  # (from, version), oldest first


PROFILES = {
    "credit-scoring": Profile(0.905, ("income", "age"), 180, 500, ((START, "3.2.0"), (dt.date(2025, 11, 3), "3.3.0"))),
    "claims-triage": Profile(0.912, ("claim_amount",), 320, 800, ((START, "1.4"), (dt.date(2026, 2, 2), "1.5"))),
    "customer-chatbot": Profile(0.927, ("intent",), 1350, 2500, ((START, "2025.03"), (dt.date(2025, 10, 6), "2025.09"), (dt.date(2026, 6, 1), "2026.05"))),
    "fraud-detection": Profile(0.918, ("claim_amount", "channel"), 95, 300, ((START, "0.9.1"), (dt.date(2026, 3, 16), "1.0.0"))),
}  # fmt: skip
# Rare isolated breaches on healthy systems: (system, day, metric, feature) -> value
SPIKES = {
    ("claims-triage", dt.date(2025, 8, 14), "latency_ms", None): 1130,
    ("claims-triage", dt.date(2025, 10, 6), "accuracy", None): 0.8412,
    ("customer-chatbot", dt.date(2025, 12, 2), "latency_ms", None): 3120,
    ("customer-chatbot", dt.date(2026, 3, 9), "latency_ms", None): 2710,
    ("fraud-detection", dt.date(2025, 12, 24), "psi", "claim_amount"): 0.2318,
    ("credit-scoring", dt.date(2025, 7, 21), "latency_ms", None): 640,
}


def _version(profile: Profile, day: dt.date) -> str:
    return [v for since, v in profile.versions if since <= day][-1]


def _noise(r, width: float) -> float:
    """Bounded noise in [-width, width], peaked at 0."""
    return r.triangular(-width, width, 0.0)


def _degradation(day: dt.date) -> float:
    """How far the degrading system has slid since DEGRADE_FROM: 1.0 at the end of 2026-Q2, 2.0 of 2026-Q3."""
    if day < DEGRADE_FROM:
        return 0.0
    return (day - DEGRADE_FROM).days / 91


def series(slug: str) -> list[list]:
    """All rows of one system's export, by day, then metric and feature."""
    profile, r = PROFILES[slug], rng(f"monitoring:{slug}")
    name = SYSTEM_BY_SLUG[slug].name
    drift_base = {f: r.uniform(0.04, 0.09) for f in profile.features}
    rows = []
    day = START
    while day <= END:
        version = _version(profile, day)
        slide = _degradation(day) if slug == DEGRADING else 0.0
        accuracy = profile.accuracy - 0.06 * slide + _noise(r, 0.015)
        points = [("accuracy", None, round(accuracy, 4), ACCURACY_LOWER, None)]
        for feature in profile.features:
            psi = drift_base[feature] + _noise(r, 0.03)
            if feature == "income":
                psi += 0.16 * slide
            points.append(("psi", feature, round(max(psi, 0.005), 4), None, PSI_UPPER))
        latency = round(profile.latency * (1 + _noise(r, 0.25)))
        points.append(("latency_ms", None, latency, None, profile.latency_upper))
        for metric, feature, value, lower, upper in points:
            value = SPIKES.get((slug, day, metric, feature), value)
            rows.append([day, name, version, metric, feature, value, lower, upper])
        day += dt.timedelta(days=1)
    return rows


def write_monitoring(out: Path) -> list[Path]:
    paths = []
    for system in SYSTEMS:
        path = out / f"monitoring_{system.slug}_2026-09-30.csv"
        write_csv(path, HEADERS, series(system.slug))
        paths.append(path)
    return paths
