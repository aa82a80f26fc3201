"""One module per dataset: its contract and the checks that only make sense for it.

Importing this package registers every contract in `loaders.contracts.CONTRACTS` and every extra check
in `CHECKS` (dataset -> function(con, typed_table, ctx) -> list[Message]). `STORE_KEYS` names, per
record dataset, the columns of its store table that identify a row across imports (the writer replaces
and restores versions by them).
"""

from __future__ import annotations

from ..contracts import CONTRACTS
from . import (
    audits,
    controls,
    external_incidents,
    findings,
    incidents,
    monitoring,
    objectives,
    risks,
    systems,
)

# Header detection keeps the first of equally good matches: the order of the registry, made explicit.
ORDER = (
    "controls",
    "systems",
    "risks",
    "incidents",
    "findings",
    "audits",
    "objectives",
    "monitoring",
    "external_incidents",
)
for _name in [*ORDER, *(n for n in list(CONTRACTS) if n not in ORDER)]:
    CONTRACTS[_name] = CONTRACTS.pop(_name)

CHECKS = {
    "controls": controls.check,
    "systems": systems.check,
    "risks": risks.check,
    "incidents": incidents.check,
    "findings": findings.check,
    "audits": audits.check,
    "objectives": objectives.check,
    "monitoring": monitoring.check,
    "external_incidents": external_incidents.check,
}

STORE_KEYS: dict[str, tuple[str, ...]] = {
    "systems": systems.STORE_KEY,
    "incidents": incidents.STORE_KEY,
    "findings": findings.STORE_KEY,
    "audits": audits.STORE_KEY,
    "objectives": objectives.STORE_KEY,
    "monitoring": monitoring.STORE_KEY,
    "external_incidents": external_incidents.STORE_KEY,
}

__all__ = [
    "CHECKS",
    "ORDER",
    "STORE_KEYS",
    "audits",
    "controls",
    "external_incidents",
    "findings",
    "incidents",
    "monitoring",
    "objectives",
    "risks",
    "systems",
]
