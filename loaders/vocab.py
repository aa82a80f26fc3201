"""Vocabularies: the spellings users write and the canonical values they map to.

Keys are compared after `contracts.norm` (case, spaces and punctuation ignored). A value that is not in
its vocabulary is a problem, never a guess. The tables are documented in the README and tested.
"""

from __future__ import annotations

from .contracts import norm

__all__ = ["NOT_APPLICABLE", "VOCABULARIES", "lookup"]

NOT_APPLICABLE = "not_applicable"

_STATUS = {
    "implemented": ["Implemented", "Compliant", "Done", "Passing", "Yes", "Ano", "Active"],
    "partially_implemented": [
        "Partially implemented",
        "Partial",
        "Partially",
        "In progress",
        "partially_compliant",
        "Částečně",
    ],
    "planned": ["Planned", "Scheduled"],
    "not_implemented": [
        "Not implemented",
        "Non-compliant",
        "non_compliant",
        "Not started",
        "Failing",
        "No",
        "Ne",
    ],
    "not_assessed": ["", "Not assessed", "--", "not_assessed"],
    NOT_APPLICABLE: ["N/A", "NA", "Not applicable", "not_applicable"],
}

_APPLICABILITY = {
    "applicable": ["Yes", "Y", "Applicable", "Included", "True", "1", "Ano"],
    NOT_APPLICABLE: ["No", "N", "Excluded", "Not applicable", "N/A", "NA", "False", "0", "Ne"],
}


def _table(spec: dict[str, list[str]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, spellings in spec.items():
        for spelling in [canonical, *spellings]:
            table[norm(spelling)] = canonical
    return table


VOCABULARIES: dict[str, dict[str, str]] = {
    "control_status": _table(_STATUS),
    "applicability": _table(_APPLICABILITY),
}


def lookup(vocabulary: str, value: str) -> str | None:
    """The canonical value of one spelling, or None when the vocabulary does not know it."""
    return VOCABULARIES[vocabulary].get(norm(value))


def spellings(vocabulary: str) -> list[str]:
    """The canonical values of a vocabulary, for messages and templates."""
    return sorted(set(VOCABULARIES[vocabulary].values()))
