"""`external_context` on a tiny catalogue of public AI incidents, loaded through the real loader.

Our categories in the cases are written as an incident log writes them ("Model drift", "Bias / fairness");
the catalogue's records match them by canonical category or by the words of their title.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest
from metrics_support_records import load_table, records

from metrics.external import EXTERNAL_COLUMNS, external_context
from store.writer import open_store

HEADER = ("Incident database", "External ID", "Title", "Incident date", "Year start", "Year end", "Category")
# fmt: off
CATALOGUE = (
    HEADER,
    # canonical model_drift from the title's keywords
    ("AIID", "1", "Credit model drifted after a data change", "2026-05-01", "2026", "2026", ""),
    # a year only: dated 1 January 2025; privacy from the catalogue's classification, and "data leak" in the title
    ("AIAAIC", "A2", "Chatbot data leak exposed customers", "", "2025", "2025", "Privacy"),
    # after the as-of date 2026-09-30
    ("OECD AIM", "O3", "Hiring tool discriminated against women", "2026-10-15", "2026", "2026", "Fairness"),
    # safety: like none of our categories
    ("AIID", "4", "Shuttle in a collision", "2026-03-01", "2026", "2026", "7.1 Unsafe behaviour"),
    # no date at all: left out
    ("AIID", "5", "Model drift somewhere", "", "", "", "Drift"),
    # canonical category none of ours has; matched by the words of the title only
    ("AIAAIC", "A6", "Loan pricing engine overcharged borrowers", "2026-07-01", "2026", "2026", "Fraud"),
)
# fmt: on
OURS = ["Model drift", "Privacy", "Bias / fairness"]
AS_OF = dt.date(2026, 9, 30)


@pytest.fixture(scope="module")
def con(tmp_path_factory) -> Iterator[duckdb.DuckDBPyConnection]:
    folder = tmp_path_factory.mktemp("external")
    con = open_store(folder / "aims.duckdb", wait=1)
    load_table(con, folder, "external_incidents", CATALOGUE)
    yield con
    con.close()


# fmt: off
CASES = [
    pytest.param(AS_OF, OURS, 20, [("1", "Model drift"), ("A2", "Privacy")], id="recent-first-by-canonical-category"),
    pytest.param(dt.date(2026, 12, 31), OURS, 20,
                 [("O3", "Bias / fairness"), ("1", "Model drift"), ("A2", "Privacy")], id="later-as-of-adds-a-record"),
    pytest.param(AS_OF, ["Data leak", "Privacy"], 20, [("A2", "Data leak")], id="first-category-given-names-it"),
    pytest.param(AS_OF, ["Loan pricing"], 20, [("A6", "Loan pricing")], id="title-words"),
    pytest.param(AS_OF, OURS, 1, [("1", "Model drift")], id="limit"),
    pytest.param(AS_OF, None, 20, [("A6", None), ("1", None), ("4", None), ("A2", None)], id="no-categories-all-recent"),
    pytest.param(dt.date(2024, 12, 31), OURS, 20, [], id="nothing-dated-yet"),
    pytest.param(AS_OF, [], 20, [], id="empty-list-no-rows"),
]
# fmt: on


@pytest.mark.parametrize(("as_of", "categories", "limit", "expected"), CASES)
def test_external_context(con, as_of, categories, limit, expected):
    found = external_context(con, as_of=as_of, categories=categories, limit=limit)
    assert list(found.columns) == list(EXTERNAL_COLUMNS)
    assert records(found, ["external_id", "our_category"]) == expected


def test_external_context_dates_and_source_rows(con):
    found = external_context(con, as_of=AS_OF, categories=OURS)
    assert records(found, ["dated", "match_category", "file_name", "row_no"]) == [
        (dt.date(2026, 5, 1), "model_drift", "external_incidents.csv", 2),
        (dt.date(2025, 1, 1), "privacy", "external_incidents.csv", 3),
    ]


def test_external_context_without_the_catalogue_table():
    with duckdb.connect() as bare:
        found = external_context(bare, as_of=AS_OF, categories=OURS)
    assert found.empty and list(found.columns) == list(EXTERNAL_COLUMNS)


def test_external_context_refuses_a_limit_below_one(con):
    with pytest.raises(ValueError, match="limit"):
        external_context(con, as_of=AS_OF, limit=0)
