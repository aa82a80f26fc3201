"""Vocabularies: the spellings users write and the canonical values they map to.

Keys are compared after `contracts.norm` (case, spaces and punctuation ignored). A value that is not in
its vocabulary is a problem, never a guess. The tables are documented in the README and tested.

Decisions worth knowing (each one is tested):
- Incident severity: the EU AI Act wording (Minor / Serious / Very serious) maps to low / high /
  critical; CISO Assistant's six levels (Critical, Major, Moderate, Minor, Low) map to critical, high,
  medium, low, low. Numbered scales whose direction is known map with 1 = most severe: `P1`-`P5`,
  `SEV1`-`SEV5`, `S1`-`S5` (`P0`/`SEV0` = critical). A number followed by a word (`1 - Critical`,
  `2 - Major`) is read by its word. A bare number (`1`, `3`) is a problem of its own,
  `ambiguous_severity`: its direction is unknown.
- Likelihood and impact: 1-5 as digits or words (Rare … Almost certain, Negligible … Severe; the
  five-step Very low … Very high scale too). `3 - Possible` is accepted when number and word agree.
- Objective direction: symbols (`>=`, `≥`, `<=`, `≤`, `>`, `<`) are read before punctuation is ignored.
- Deadline class (EU AI Act Art. 73): `general` (15 days), `death` (10 days), `widespread` (2 days;
  a widespread infringement or a serious critical-infrastructure incident); the numbers of days are
  accepted as spellings.
"""

from __future__ import annotations

import re

from .contracts import norm

__all__ = [
    "DEADLINE_DAYS",
    "NOT_APPLICABLE",
    "VOCABULARIES",
    "lookup",
    "special_problem",
    "spellings",
]

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

# fmt: off
_YES_NO = {
    "true": ["Yes", "Y", "True", "1", "X", "Ano", "Ja", "Oui", "Sí", "Si"],
    "false": ["No", "N", "False", "0", "Ne", "Nein", "Non"],
}

_RISK_CLASS = {
    "prohibited": ["Prohibited", "Unacceptable", "Unacceptable risk", "Banned", "Prohibited practice"],
    "high": ["High", "High risk", "High-risk", "High-risk AI system", "Annex III"],
    "limited": ["Limited", "Limited risk", "Transparency", "Transparency risk", "Specific transparency"],
    "minimal": ["Minimal", "Minimal risk", "Low", "Low risk", "No risk", "Minimal or no risk"],
}

_LIFECYCLE = {
    "planned": ["Planned", "Inception", "Idea", "Proposed", "Concept"],
    "development": [
        "Development", "In development", "Design", "Design and development", "Build", "Prototype",
        "Proof of concept", "PoC", "Testing", "Validation", "Verification and validation",
    ],
    "pilot": ["Pilot", "Piloting", "Trial", "Beta", "Limited release"],
    "production": [
        "Production", "In production", "Live", "Deployed", "Deployment", "Operational", "Operation",
        "Operation and monitoring", "In use", "In operation", "Active",
    ],
    "retired": ["Retired", "Retirement", "Decommissioned", "Sunset", "Withdrawn", "Archived", "Inactive"],
}

_LIKELIHOOD = {
    "1": ["Rare", "Very unlikely", "Very low", "Remote", "Improbable"],
    "2": ["Unlikely", "Low", "Seldom"],
    "3": ["Possible", "Medium", "Moderate", "Occasional"],
    "4": ["Likely", "High", "Probable"],
    "5": ["Almost certain", "Very likely", "Very high", "Certain", "Frequent"],
}

_IMPACT = {
    "1": ["Negligible", "Insignificant", "Very low"],
    "2": ["Minor", "Low"],
    "3": ["Moderate", "Medium"],
    "4": ["Major", "High", "Significant"],
    "5": ["Severe", "Catastrophic", "Critical", "Very high", "Extreme"],
}

_TREATMENT = {
    "mitigate": ["Mitigate", "Mitigation", "Reduce", "Reduction", "Treat", "Modify", "Modification"],
    "accept": ["Accept", "Acceptance", "Accepted", "Retain", "Retention", "Tolerate"],
    "transfer": ["Transfer", "Transferred", "Share", "Sharing", "Insure", "Outsource"],
    "avoid": ["Avoid", "Avoidance", "Avoided", "Terminate", "Eliminate"],
}

_RISK_STATUS = {
    "open": ["Open", "New", "Identified", "Assessed", "Raised", "Active"],
    "in_treatment": ["In treatment", "Treatment in progress", "In progress", "Mitigating", "Ongoing"],
    "treated": ["Treated", "Mitigated", "Monitored", "Monitoring", "Under monitoring"],
    "accepted": ["Accepted", "Tolerated", "Risk accepted"],
    "closed": ["Closed", "Retired", "Resolved", "Eliminated", "Avoided"],
}

_SEVERITY = {
    "critical": [
        "Critical", "Very serious", "Catastrophic", "Severe", "Highest", "Blocker", "Urgent", "P0", "P1",
        "SEV0", "SEV1", "S0", "S1",
    ],
    "high": ["High", "Major", "Serious", "P2", "SEV2", "S2"],
    "medium": ["Medium", "Moderate", "Normal", "P3", "SEV3", "S3"],
    "low": [
        "Low", "Minor", "Lowest", "Negligible", "Trivial", "Informational", "Info", "Planning", "P4", "P5",
        "SEV4", "SEV5", "S4", "S5",
    ],
}

_INCIDENT_STATUS = {
    "open": ["Open", "New", "Reported", "Logged", "To do", "Backlog", "Raised", "Submitted"],
    "investigating": [
        "Investigating", "Under investigation", "In progress", "Work in progress", "Ongoing", "Triage",
        "Triaged", "Assigned", "Acknowledged", "On hold",
    ],
    "mitigated": ["Mitigated", "Contained", "Workaround", "Workaround applied"],
    "resolved": ["Resolved", "Fixed", "Remediated"],
    "closed": ["Closed", "Done", "Completed", "Dismissed", "Cancelled", "Canceled", "Rejected", "Duplicate"],
}

_DEADLINE = {
    "general": ["General", "Standard", "Other", "15", "15 days", "15d", "Art. 73(2)"],
    "death": [
        "Death", "Possible death", "Fatal", "Fatality", "Loss of life", "10", "10 days", "10d", "Art. 73(4)",
    ],
    "widespread": [
        "Widespread", "Widespread infringement", "Critical infrastructure", "Serious critical infrastructure",
        "Widespread infringement or critical infrastructure", "2", "2 days", "2d", "Art. 73(3)",
    ],
}
DEADLINE_DAYS = {"general": 15, "death": 10, "widespread": 2}

_FINDING_SOURCE = {
    "internal_audit": ["Internal audit", "Internal", "IA", "First-party audit", "1st party audit"],
    "external_audit": [
        "External audit", "External", "Certification audit", "Surveillance audit", "Recertification audit",
        "Certification body", "Third-party audit", "3rd party audit", "Stage 1", "Stage 2",
    ],
    "management_review": ["Management review", "MR", "Management review meeting", "9.3"],
    "incident": ["Incident", "Incident review", "Post-incident review", "Post-incident"],
    "other": ["Other", "Self-assessment", "Monitoring", "Complaint"],
}

_FINDING_TYPE = {
    "major_nonconformity": ["Major NC", "Major nonconformity", "Major non-conformity", "Major", "NC major"],
    "minor_nonconformity": ["Minor NC", "Minor nonconformity", "Minor non-conformity", "Minor", "NC minor"],
    "observation": ["Observation", "Obs", "Area of concern", "Concern"],
    "opportunity": [
        "Opportunity", "Opportunity for improvement", "OFI", "OI", "Improvement", "Improvement opportunity",
        "Recommendation",
    ],
}

_FINDING_STATUS = {
    "open": ["Open", "New", "Raised", "Not started", "To do", "Identified"],
    "in_progress": [
        "In progress", "Ongoing", "Started", "Under way", "Action planned", "Planned", "Implementing",
        "Awaiting verification", "Pending verification",
    ],
    "closed": ["Closed", "Done", "Completed", "Complete", "Resolved", "Verified", "Implemented"],
}

_AUDIT_TYPE = {
    "internal": ["Internal", "Internal audit", "First party", "1st party"],
    "external": [
        "External", "External audit", "Certification", "Certification audit", "Surveillance",
        "Surveillance audit", "Recertification", "Third party", "3rd party", "Second party", "2nd party",
        "Stage 1", "Stage 2",
    ],
}

_DIRECTION = {
    "at_least": [
        "At least", "Min", "Minimum", "Higher is better", "Higher", "Greater or equal",
        "Greater than or equal", "Increase", "Above", "Maximise", "Maximize",
    ],
    "at_most": [
        "At most", "Max", "Maximum", "Lower is better", "Lower", "Less or equal", "Less than or equal",
        "Decrease", "Below", "Minimise", "Minimize",
    ],
}

_VERDICT = {
    "pass": ["Pass", "Passed", "Success", "Succeeded", "OK", "Green"],
    "fail": ["Fail", "Failed", "Failure", "Red", "Breach", "Breached"],
    "warning": ["Warning", "Warn", "Amber", "Yellow"],
    "error": ["Error", "Errored"],
}

# fmt: on

# Spellings made of symbols only: `norm` would erase them, so they are read before it (spaces removed).
_SYMBOLS: dict[str, dict[str, str]] = {
    "direction": {
        ">=": "at_least",
        "=>": "at_least",
        "≥": "at_least",
        ">": "at_least",
        "<=": "at_most",
        "=<": "at_most",
        "≤": "at_most",
        "<": "at_most",
    },
}

# Vocabularies where `1 - Critical` or `3 - Possible` is read by its word (the number must agree if known).
_NUMBERED = {"incident_severity", "likelihood", "impact"}
_NUMBER_WORD = re.compile(r"([a-z]*\d+)([a-z].*)")
_BARE_NUMBER = re.compile(r"\d+(\.0+)?")


def _table(spec: dict[str, list[str]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, spellings in spec.items():
        for spelling in [canonical, *spellings]:
            table[norm(spelling)] = canonical
    return table


SPECS: dict[str, dict[str, list[str]]] = {
    "control_status": _STATUS,
    "applicability": _APPLICABILITY,
    "yes_no": _YES_NO,
    "risk_class": _RISK_CLASS,
    "lifecycle": _LIFECYCLE,
    "likelihood": _LIKELIHOOD,
    "impact": _IMPACT,
    "treatment": _TREATMENT,
    "risk_status": _RISK_STATUS,
    "incident_severity": _SEVERITY,
    "incident_status": _INCIDENT_STATUS,
    "deadline_class": _DEADLINE,
    "finding_source": _FINDING_SOURCE,
    "finding_type": _FINDING_TYPE,
    "finding_status": _FINDING_STATUS,
    "audit_type": _AUDIT_TYPE,
    "direction": _DIRECTION,
    "verdict": _VERDICT,
}

VOCABULARIES: dict[str, dict[str, str]] = {name: _table(spec) for name, spec in SPECS.items()}


_BLANKS = {"", "-", "--", "—", "–"}


def lookup(vocabulary: str, value: str) -> str | None:
    """The canonical value of one spelling, or None when the vocabulary does not know it."""
    table = VOCABULARIES[vocabulary]
    symbol = _SYMBOLS.get(vocabulary, {}).get(re.sub(r"\s+", "", str(value)))
    if symbol:
        return symbol
    key = norm(value)
    if not key and str(value).strip() not in _BLANKS:  # "?" or "." is not a blank: never a guess
        return None
    found = table.get(key)
    if found is None and vocabulary in _NUMBERED and (m := _NUMBER_WORD.fullmatch(key)):
        word, number = table.get(m[2]), table.get(m[1])
        if word is not None and number in (None, word):
            return word
    return found


def special_problem(vocabulary: str, value: str) -> tuple[str, str] | None:
    """A more precise problem (code, expected) than `unknown_<field>` for a value a vocabulary refuses."""
    if vocabulary == "incident_severity" and _BARE_NUMBER.fullmatch(str(value).strip()):
        return (
            "ambiguous_severity",
            "a severity (critical, high, medium, low) or a numbered scale whose direction is known "
            "(P1, SEV1, '1 - Critical'; 1 = most severe); a bare number could run either way",
        )
    return None


def spellings(vocabulary: str) -> list[str]:
    """The canonical values of a vocabulary, for messages and templates."""
    return sorted(set(VOCABULARIES[vocabulary].values()))
