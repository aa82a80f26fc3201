"""The ISO/IEC 42001 catalog in `data/catalog.csv`: the right number of nodes, a sound tree, unique ids."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from loaders.catalog import CATALOG_CSV, catalog_rows


@pytest.fixture(scope="module")
def nodes() -> list[dict[str, str]]:
    with CATALOG_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_header(nodes):
    assert list(nodes[0]) == ["id", "kind", "parent", "title"]


def test_counts_per_kind(nodes):
    assert Counter(n["kind"] for n in nodes) == {"clause": 7, "subclause": 36, "objective": 9, "control": 38}


def test_ids_are_unique(nodes):
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids)) == 90


def test_every_parent_exists(nodes):
    ids = {n["id"] for n in nodes}
    assert [n["id"] for n in nodes if n["parent"] and n["parent"] not in ids] == []


def test_roots_are_clauses_and_objectives(nodes):
    roots = Counter(n["kind"] for n in nodes if not n["parent"])
    assert roots == {"clause": 7, "objective": 9}


def test_control_parents_are_objectives(nodes):
    kind = {n["id"]: n["kind"] for n in nodes}
    wrong = [n["id"] for n in nodes if n["kind"] == "control" and kind.get(n["parent"]) != "objective"]
    assert wrong == []


def test_subclause_parents_are_clauses_or_subclauses(nodes):
    kind = {n["id"]: n["kind"] for n in nodes}
    wrong = [
        n["id"]
        for n in nodes
        if n["kind"] == "subclause" and kind.get(n["parent"]) not in ("clause", "subclause")
    ]
    assert wrong == []


def test_children_are_numbered_under_their_parent(nodes):
    # "A.6.2.6" sits under objective "A.6", "9.3.2" under subclause "9.3"
    wrong = [n["id"] for n in nodes if n["parent"] and not n["id"].startswith(n["parent"] + ".")]
    assert wrong == []


def test_clauses_are_4_to_10_and_objectives_a2_to_a10(nodes):
    assert [n["id"] for n in nodes if n["kind"] == "clause"] == [str(i) for i in range(4, 11)]
    assert [n["id"] for n in nodes if n["kind"] == "objective"] == [f"A.{i}" for i in range(2, 11)]


def test_every_node_has_a_title(nodes):
    assert [n["id"] for n in nodes if not n["title"].strip()] == []


def test_loader_reads_the_same_rows(nodes):
    assert [dict(r) for r in catalog_rows()] == nodes


def test_store_catalog_matches_the_file(store, nodes):
    stored = store.execute(
        "select id, kind, coalesce(parent, ''), title from catalog order by ord"
    ).fetchall()
    assert stored == [(n["id"], n["kind"], n["parent"], n["title"]) for n in nodes]
