"""Junk in, clear refusals out: for every dataset, junk in a typed cell is exactly one problem at its row
and column and writes nothing; junk text in a free-text field is stored exactly as written; files that are
not data at all (random bytes, empty, header only, a text file named .xlsx, a zip bomb, a 10 MB cell) are
refused with a message, in bounded time and memory."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, aims_command, data_tables
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.measure import interleaved
from loaders.contracts import CONTRACTS
from loaders.pipeline import LoadOptions
from store.writer import load_file, open_store

pytestmark = pytest.mark.slow  # about 25 s: hypothesis examples for every dataset, and a dozen processes

FIXTURES = ROOT / "tests" / "fixtures"
CLEAN = {name: FIXTURES / "datasets" / f"{name}_clean.csv" for name in CONTRACTS} | {
    "controls": FIXTURES / "controls" / "soa_small.csv"
}
TYPED_KINDS = {"date", "datetime", "number", "integer", "enum", "bool", "requirement"}
FREE_TEXT = {
    "controls": "notes",
    "systems": "intended_purpose",
    "risks": "title",
    "incidents": "description",
    "findings": "description",
    "audits": "audit_scope",
    "objectives": "unit",
    "monitoring": "test_name",
    "external_incidents": "description",
}
JUNK = settings(
    max_examples=6, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Junk that no reading can take for a value: it starts with letters no spelling, number or date starts
# with, and holds no digit a numbered scale could read. Anything may follow (quotes, delimiters,
# formula signs, unicode, line breaks).
junk = st.builds(
    lambda tail: "zq" + tail,
    st.text(st.characters(blacklist_categories=("Cs", "Nd"), blacklist_characters="\x00"), max_size=30),
)
free_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40
)


def _table(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)  # CRLF lines, so a lone CR or LF in a cell is quoted
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _kept_as(text: str) -> str | None:
    """What the loader keeps of a text cell: trimmed, one formula escape (`'=`, `'+` ...) undone."""
    text = text.strip(" \t\n\r\u00a0")
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        text = text[1:]
    return text or None


def _columns(dataset: str, tmp: Path) -> dict[str, int]:
    """Field -> column index in the clean fixture, as the loader maps it."""
    with open_store(tmp / "probe.duckdb", wait=1) as con:
        result = load_file(con, CLEAN[dataset], LoadOptions(dataset=dataset), user="t")
    assert result.outcome == "loaded", [m.describe() for m in result.problems]
    header = _table(CLEAN[dataset])[0]
    mapping = result.plan.sheets[0].mapping
    return {field: header.index(text) for text, field in mapping.items()}


@pytest.fixture(scope="module")
def mapped(tmp_path_factory) -> dict[str, dict[str, int]]:
    return {name: _columns(name, tmp_path_factory.mktemp(name)) for name in CONTRACTS}


@pytest.mark.parametrize("dataset", sorted(CONTRACTS))
@JUNK
@given(data=st.data(), value=junk)
def test_junk_in_a_typed_cell_is_one_problem_there_and_writes_nothing(dataset, data, value, mapped, tmp_path):
    typed = sorted(f for f in mapped[dataset] if CONTRACTS[dataset].field(f).kind in TYPED_KINDS)
    field = data.draw(st.sampled_from(typed), label="field")
    rows = _table(CLEAN[dataset])
    index = data.draw(st.integers(1, len(rows) - 1), label="data row")
    rows[index][mapped[dataset][field]] = value
    path = _write(tmp_path / f"{dataset}_junk.csv", rows)
    db = tmp_path / f"junk_{abs(hash((field, index, value)))}.duckdb"
    with open_store(db, wait=1) as con:
        before = data_tables(con)
        result = load_file(con, path, LoadOptions(dataset=dataset), user="t")
        after = data_tables(con)
    header = rows[0][mapped[dataset][field]].strip()
    assert result.outcome == "refused"
    assert [(m.row, m.column, m.value) for m in result.problems] == [(index + 1, header, _kept_as(value))]
    assert after == before


@pytest.mark.parametrize("dataset", sorted(CONTRACTS))
@JUNK
@given(data=st.data(), text=free_text)
def test_junk_text_in_a_free_text_field_is_stored_as_written(dataset, data, text, mapped, tmp_path):
    field = FREE_TEXT[dataset]
    rows = _table(CLEAN[dataset])
    if field not in mapped[dataset]:
        rows = [row + [field if i == 0 else ""] for i, row in enumerate(rows)]
        column = len(rows[0]) - 1
    else:
        column = mapped[dataset][field]
    index = data.draw(st.integers(1, len(rows) - 1), label="data row")
    rows[index][column] = text
    path = _write(tmp_path / f"{dataset}_text.csv", rows)
    with open_store(tmp_path / f"text_{abs(hash((index, text)))}.duckdb", wait=1) as con:
        result = load_file(con, path, LoadOptions(dataset=dataset), user="t")
        assert result.outcome == "loaded", [m.describe() for m in result.problems]
        stored = con.execute(
            f'select "{field}" from {dataset} where row_no = $r', {"r": index + 1}
        ).fetchall()
    assert stored == [(_kept_as(text),)]


# --- files that are not data -------------------------------------------------------------------------


def _zip_bomb(path: Path) -> Path:
    """A small .xlsx whose sheet XML declares (and holds) 200 MiB."""
    row = b"<row><c><v>0</v></c></row>" * 4096
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr(
            "xl/workbook.xml", "<workbook><sheets><sheet name='S' sheetId='1'/></sheets></workbook>"
        )
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            for _ in range(200 * 2**20 // len(row)):
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return path


def _huge_cell(path: Path) -> Path:
    """A real workbook whose one shared string is 10 MB long."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Monitoring")
    sheet.write_row(0, 0, ["Timestamp", "AI system", "Metric", "Value", "Test name"])
    sheet.write_row(1, 0, ["2026-09-30", "Credit scoring", "auc", 0.8, "PLACEHOLDER"])
    book.close()
    with zipfile.ZipFile(path) as old:
        parts = {name: old.read(name) for name in old.namelist()}
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(b"PLACEHOLDER", b"x" * (10 * 2**20))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, content in parts.items():
            new.writestr(name, content)
    return path


def _random_bytes(path: Path) -> Path:
    """300 kB of noise behind a binary signature (noise that happened to start with `{` would be a
    malformed JSON document, refused as such)."""
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + random.Random(path.name).randbytes(300_000))
    return path


UNREADABLE = {
    "random_bytes.csv": (_random_bytes, "binary"),
    "random_bytes.xlsx": (_random_bytes, "not a workbook"),
    "empty.csv": (lambda p: p.write_bytes(b""), "empty"),
    "empty.xlsx": (lambda p: p.write_bytes(b""), "empty"),
    "header_only.csv": (lambda p: _write(p, [["Timestamp", "AI system", "Metric", "Value"]]), "no data rows"),
    "text_named.xlsx": (lambda p: _write(p, [["Timestamp", "AI system"], ["2026-09-30", "x"]]), "text file"),
    "zip_bomb.xlsx": (_zip_bomb, "zip bomb"),
    "huge_cell.xlsx": (_huge_cell, "32,767"),
    "huge_cell.csv": (
        lambda p: _write(p, [["Timestamp", "Test name"], ["2026-09-30", "x" * 10 * 2**20]]),
        "CSV",
    ),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_files_that_are_not_data_are_refused_quickly_with_a_message(name, tmp_path):
    make, expected = UNREADABLE[name]
    path = tmp_path / name
    make(path)
    command = [
        *aims_command(),
        "load",
        str(path),
        "--db",
        str(tmp_path / "a.duckdb"),
        "--dataset",
        "monitoring",
    ]
    # measured from a small fresh process: a child forked from pytest would count pytest's memory
    (run,) = interleaved([(command, None, 1)], repeat=1)
    assert "Traceback" not in run.err
    assert "refused" in run.out and expected in run.out, run.out
    assert run.seconds < 30
    assert run.peak_mib < 700
