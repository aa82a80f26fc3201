"""Public AI incidents from catalogues (record dataset `external_incidents`): AIID, AIAAIC, OECD AIM.

They describe incidents elsewhere ("incidents like ours") and have no status, severity or resolution
date: they are context for the organisation's own incident register, never counted with it. A record is
keyed by its source and the source's own id. `match_category` puts every record (and any category the
organisation writes, through `match_category()`) on one small vocabulary so the two can be compared:

    bias_fairness, privacy, security, misuse, misinformation, harmful_content, safety, human_oversight,
    incorrect_output, model_drift, data_quality, availability, transparency, socioeconomic

It is read from the record's `category` (the source's classification: AIID's MIT risk subdomain, AIAAIC's
issues, OECD's concepts), part by part in the order written, and when no part matches, from keywords of
the title and description; it stays empty when nothing matches (never a guess beyond the table below).
"""

from __future__ import annotations

import re

import duckdb

from ..contracts import Contract, FieldSpec, register
from ..messages import Message
from ._common import Reporter, duplicate_keys

CONTRACT = register(
    Contract(
        dataset="external_incidents",
        title="Public AI incidents (AIID, AIAAIC, OECD AIM)",
        semantics="record",
        key=("source", "external_id"),
        fields=(
            FieldSpec(
                name="source",
                required=True,
                aliases=("Incident database", "Catalogue", "Source catalogue", "External source"),
                example="AIID",
            ),
            FieldSpec(
                name="external_id",
                required=True,
                aliases=("External ID", "External incident ID", "Source ID", "Catalogue ID"),
                example="23",
            ),
            FieldSpec(name="kind", aliases=("Record type", "Kind"), example="incident"),
            FieldSpec(name="title", required=True, aliases=("Headline", "Incident title"), example="…"),
            FieldSpec(
                name="incident_date",
                kind="date",
                aliases=("Incident date", "Date of incident", "Occurred on"),
                example="2017-11-08",
            ),
            FieldSpec(name="date_text", aliases=("Occurred", "Date as written", "Period")),
            FieldSpec(name="year_start", kind="integer", aliases=("Year start", "From year", "Year")),
            FieldSpec(name="year_end", kind="integer", aliases=("Year end", "To year")),
            FieldSpec(name="description", aliases=("Description", "Summary")),
            FieldSpec(name="deployer", aliases=("Deployer", "Deployer(s)", "Alleged deployer")),
            FieldSpec(name="developer", aliases=("Developer", "Developer(s)", "Alleged developer")),
            FieldSpec(name="harmed_parties", aliases=("Harmed parties", "Affected parties")),
            FieldSpec(name="harms", aliases=("Harms", "Harm", "Harm type")),
            FieldSpec(name="category", aliases=("Category", "Issues", "Issue(s)", "Risk domain")),
            FieldSpec(name="sector", aliases=("Sector", "Sector(s)", "Industry")),
            FieldSpec(name="country", aliases=("Country", "Country(ies)", "Location")),
            FieldSpec(name="url", aliases=("URL", "Link", "Source URL")),
        ),
    )
)

STORE_KEY = ("source", "external_id")

# canonical category -> keyword patterns (matched on word starts, case-insensitively), in priority order
CATEGORIES: dict[str, tuple[str, ...]] = {
    "model_drift": ("drift", "concept shift", "distribution shift"),
    "data_quality": ("data quality", "data corruption", "missing values", "duplicate record"),
    "availability": ("availability", "outage", "downtime", "unavailable"),
    "bias_fairness": ("bias", "discriminat", "fairness", "unfair", "racis", "sexis", "unequal"),
    "privacy": ("privacy", "personal data", "data protection", "surveillance", "confidential", "doxx"),
    "security": ("security", "cyber", "hack", "prompt injection", "vulnerab", "breach", "jailbreak"),
    "misuse": (
        "misuse",
        "malicious",
        "fraud",
        "scam",
        "deepfake",
        "impersonat",
        "extortion",
        "sextortion",
        "blackmail",
        "dual/multi-use",
        "dual use",
        "cheating",
        "plagiarism",
    ),
    "misinformation": ("misinformation", "disinformation", "mis/disinformation", "hallucinat", "defamation"),
    "harmful_content": (
        "toxic",
        "harmful content",
        "hate speech",
        "pornograph",
        "nudity",
        "nudify",
        "violent",
    ),
    "safety": ("safety", "death", "died", "killed", "fatal", "injur", "crash", "collision", "accident"),
    "human_oversight": (
        "oversight",
        "overreliance",
        "over-reliance",
        "automation bias",
        "human review",
        "loss of agency",
    ),
    "incorrect_output": (
        "incorrect output",
        "accuracy",
        "reliability",
        "robustness",
        "incorrect",
        "wrong",
        "malfunction",
        "error",
        "fail",
        "unexpected behav",
        "performance",
        "lack of capability",
    ),
    "transparency": ("transparency", "explainab", "interpretab", "black box"),
    "socioeconomic": ("employment", "jobs", "environment", "copyright", "competition", "socioeconomic"),
}

# MIT AI Risk Repository subdomains (AIID `classifications_MIT.csv`): code -> canonical category
MIT_SUBDOMAINS = {
    "1.1": "bias_fairness",
    "1.2": "harmful_content",
    "1.3": "bias_fairness",
    "2.1": "privacy",
    "2.2": "security",
    "3.1": "misinformation",
    "3.2": "misinformation",
    "4.1": "misuse",
    "4.2": "misuse",
    "4.3": "misuse",
    "5.1": "human_oversight",
    "5.2": "human_oversight",
    "6": "socioeconomic",
    "7.1": "safety",
    "7.2": "safety",
    "7.3": "incorrect_output",
    "7.4": "transparency",
    "7.6": "safety",
    "1": "bias_fairness",
    "2": "privacy",
    "3": "misinformation",
    "4": "misuse",
    "5": "human_oversight",
    "7": "incorrect_output",
}

_PATTERNS = {
    name: re.compile(r"(?<![a-z])(" + "|".join(re.escape(k) for k in keys) + ")", re.I)
    for name, keys in CATEGORIES.items()
}
_MIT = re.compile(r"^\s*(\d)(?:\.(\d))?\.?\s")


def _by_keywords(text: str) -> str | None:
    for name, pattern in _PATTERNS.items():
        if pattern.search(text):
            return name
    return None


def match_category(category: str | None, text: str | None = None) -> str | None:
    """The canonical category of a classification (`category`), else of free text (title, description)."""
    for part in re.split(r"\s*[;|,\n]\s*", category or ""):
        if not part:
            continue
        if m := _MIT.match(part):
            found = MIT_SUBDOMAINS.get(f"{m[1]}.{m[2]}") or MIT_SUBDOMAINS.get(m[1])
            if found:
                return found
        if found := _by_keywords(part):
            return found
    return _by_keywords(text) if text else None


def check(con: duckdb.DuckDBPyConnection, typed: str, ctx: Reporter) -> list[Message]:
    """Rules of a catalogue of public incidents.

    - a (source, external id) twice in one file is a problem (`duplicate_key`);
    - a year range that ends before it starts is a problem (`year_order`).

    Leaves `<typed>_store`: one row per file row, with exactly the columns of `external_incidents`, the
    canonical `match_category` added.
    """
    import pyarrow as pa  # imported here: loading a plain CSV never needs it

    out = duplicate_keys(con, typed, ["source", "external_id"], "external_id", ctx)
    for row, start, end in con.execute(
        f"select row_no, year_start, year_end from {typed} where year_end < year_start order by row_no"
    ).fetchall():
        out.append(
            ctx.problem(
                "year_order", row, ctx.header("year_end"), f"{start}-{end}", "an end year >= the start year"
            )
        )
    distinct = con.execute(
        f"select distinct category, title, description from {typed} where title is not null"
    ).fetchall()
    keys = [(c, t, d) for c, t, d in distinct]
    found = [match_category(c, " ".join(x for x in (t, d) if x)) for c, t, d in keys]
    matches = pa.table(  # noqa: F841 - scanned by name below
        {
            "category": pa.array([k[0] for k in keys], pa.string()),
            "title": pa.array([k[1] for k in keys], pa.string()),
            "description": pa.array([k[2] for k in keys], pa.string()),
            "match_category": pa.array(found, pa.string()),
        }
    )
    con.execute(f"create or replace temp table {typed}_match as select * from matches")
    con.execute(f"create or replace temp table {typed}_store as " + STORE_SQL.format(typed=typed))
    return out


STORE_SQL = """
select t.row_no, t.source, t.external_id, lower(t.kind) as kind, t.title, t.incident_date, t.date_text,
       t.year_start, t.year_end, t.description, t.deployer, t.developer, t.harmed_parties, t.harms,
       t.category, m.match_category, t.sector, t.country, t.url
from {typed} t
left join {typed}_match m on m.title is not distinct from t.title
     and m.category is not distinct from t.category and m.description is not distinct from t.description
"""
