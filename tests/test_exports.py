"""The quarterly pack: built from metrics only, read back with openpyxl, checked against `aims summary --json`.

The demo organisation is loaded once (`aims demo --db`) and its latest quarter's pack is built once; tests
that change data work on their own database.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

import cli
from exports import SHEETS, build_pack
from exports.figures import HEADLINE, NO_COMPARISON
from exports.sheets_summary import defined_name
from exports.style import WORKBOOK_OPTIONS, Styles
from exports.tables import Col, write_table
from loaders.pipeline import LoadOptions
from metrics.periods import latest_quarter
from metrics.review_records import review_records
from metrics.summary import headline_keys, quarter_summary
from store.writer import load_file, open_store, record_review_item, update_review_action

DANGEROUS = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-3+4", "@SUM(A1)", "\tTAB", "\rCR", "=1+1"]
DATA_SHEETS = (
    "Clause coverage",
    "Statement of Applicability",
    "Risk register",
    "Incidents",
    "Monitoring breaches",
    "Objectives",
    "Findings and actions",
    "Sources and method",
)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "aims.duckdb"
    assert cli.main(["demo", "--db", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def quarter(demo_db) -> str:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        return str(latest_quarter(con))


@pytest.fixture(scope="module")
def pack(demo_db, quarter) -> bytes:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        return build_pack(con, quarter=quarter)


@pytest.fixture(scope="module")
def book(pack) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(pack))


def _values(data: bytes) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets}


def named_cells(wb: openpyxl.Workbook) -> dict[str, object]:
    out = {}
    for name, defined in wb.defined_names.items():
        (sheet, ref), *_ = defined.destinations
        out[name] = wb[sheet][ref.replace("$", "")].value
    return out


def _copy_demo(demo_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "aims.duckdb"
    with duckdb.connect(str(demo_db), read_only=True) as con:
        con.execute("checkpoint")
    target.write_bytes(demo_db.read_bytes())
    return target


# --- the workbook ----------------------------------------------------------------------------------------


def test_the_pack_has_every_sheet_in_order(book):
    assert book.sheetnames == list(SHEETS)


def test_every_headline_figure_has_a_named_cell(book):
    names = named_cells(book)
    assert set(names) == {defined_name(h.key) for h in HEADLINE if h.named}
    for name in names:
        assert not re.fullmatch(r"[A-Za-z]{1,3}\d+", name) and re.fullmatch(r"[A-Za-z_][\w.]*", name), name
        assert book.defined_names[name].attr_text.startswith("'Summary'!$C$")


def test_named_cells_match_aims_summary_json(aims, demo_db, quarter, book):
    done = aims("summary", "--db", demo_db, "--quarter", quarter, "--json", "--no-review")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    cells = named_cells(book)
    for h in HEADLINE:
        if not h.named:
            continue
        expected = summary
        for part in h.key.split("."):
            expected = expected[part]
        cell = cells[defined_name(h.key)]
        if h.key == "as_of":
            assert cell.date().isoformat() == expected
        elif expected is None:
            assert cell == "no data", h.key
        elif isinstance(expected, float):
            assert cell == pytest.approx(expected, rel=1e-12), h.key
        else:
            assert cell == expected, h.key


def test_the_same_data_gives_the_same_workbook(demo_db, quarter, pack):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        again = build_pack(con, quarter=quarter)
    assert _values(again) == _values(pack)
    assert again == pack  # byte for byte: nothing depends on the time of building


def test_data_sheets_have_frozen_headers_filters_and_print_setup(book):
    for name in DATA_SHEETS:
        ws = book[name]
        assert ws.freeze_panes == "A6", name
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A5:"), name
        assert ws.print_title_rows == "$5:$5", name
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0, ws.title
    assert book["Summary"].freeze_panes == "A7"


def test_summary_has_native_charts_and_review_has_drop_downs(book):
    assert len(book["Summary"]._charts) == 2
    lists = [
        dv.formula1 for dv in book["Management review"].data_validations.dataValidation if dv.type == "list"
    ]
    assert '"decision,action"' in lists and '"recorded,open,in_progress,closed"' in lists


def test_statuses_are_coloured_by_rules_and_always_labelled(book):
    soa = book["Statement of Applicability"]
    rules = [r for cf in soa.conditional_formatting for r in cf.rules]
    assert any('"✔ Implemented"' in r.formula[0] for r in rules)
    fills = {r.dxf.fill.bgColor.rgb for r in rules}
    assert {"FF009E73", "FFD55E00"} <= fills  # Okabe-Ito bluish green and vermillion
    statuses = {row[5] for row in soa.iter_rows(min_row=6, values_only=True)}
    assert statuses <= {
        "✔ Implemented",
        "◐ Partially implemented",
        "◷ Planned",
        "✖ Not implemented",
        "? Not assessed",
        "— Not applicable",
    }
    assert len([r for r in soa.iter_rows(min_row=6, values_only=True) if r[0]]) == 38


def test_heatmap_cells_hold_counts_and_band_names(book, demo_db, quarter):
    from metrics.risks import risk_summary

    ws = book["Risk heatmap"]
    with duckdb.connect(str(demo_db), read_only=True) as con:
        total = risk_summary(con, as_of=pd.Period(quarter, "Q").end_time.date()).total
    grid = [[ws.cell(8 + i, 2 + j) for j in range(5)] for i in range(5)]
    assert sum(c.value for row in grid for c in row) == total
    assert all(
        "high" in c.number_format
        or "low" in c.number_format
        or "medium" in c.number_format
        or "critical" in c.number_format
        for row in grid
        for c in row
    )


def test_no_macros_and_no_external_links(pack):
    names = zipfile.ZipFile(io.BytesIO(pack)).namelist()
    assert not any("vbaProject" in n or "externalLink" in n for n in names)
    types = zipfile.ZipFile(io.BytesIO(pack)).read("[Content_Types].xml").decode()
    assert "macroEnabled" not in types


def test_the_summary_says_no_comparison_without_a_previous_quarter(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        wb = openpyxl.load_workbook(io.BytesIO(build_pack(con, quarter="2025-Q2")))
    rows = {r[1]: r for r in wb["Summary"].iter_rows(min_row=7, max_row=40, values_only=True) if r[1]}
    assert rows["Implementation rate"][3] == NO_COMPARISON and rows["Implementation rate"][4] == NO_COMPARISON
    assert rows["Risks in the register"][4] == NO_COMPARISON
    assert 0 not in (rows["Risks in the register"][3], rows["Risks in the register"][4])


def test_an_empty_database_gives_a_pack_that_says_so(tmp_path):
    with open_store(tmp_path / "empty.duckdb") as con:
        wb = openpyxl.load_workbook(io.BytesIO(build_pack(con, quarter="2026-Q3")))
        expected = headline_keys(quarter_summary(con, quarter="2026-Q3", with_review=False))
    assert wb.sheetnames == list(SHEETS)
    assert wb["Incidents"]["A6"].value == "No incident detected in the quarter or open at its end."
    assert wb["Risk register"]["A6"].value == "No risk register is in force."
    cells = named_cells(wb)
    for key, value in expected.items():
        if key in cells and key != "as_of":
            assert cells[key] == ("no data" if value is None else value), key


def test_filters_are_named_on_every_sheet(demo_db, quarter):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        wb = openpyxl.load_workbook(io.BytesIO(build_pack(con, quarter=quarter, system="Credit scoring")))
    assert all("AI system: Credit scoring" in ws["A3"].value for ws in wb.worksheets)
    systems = {r[2] for r in wb["Incidents"].iter_rows(min_row=6, values_only=True) if r[0]}
    assert systems == {"Credit scoring"}


def test_a_bad_quarter_is_refused(demo_db):
    with (
        duckdb.connect(str(demo_db), read_only=True) as con,
        pytest.raises(ValueError, match="not a quarter"),
    ):
        build_pack(con, quarter="2026-Q5")


# --- safety ----------------------------------------------------------------------------------------------


def _ooxml_text(value: str) -> str:
    """openpyxl leaves OOXML's escapes of control characters (`_x000D_`) as written; Excel decodes them."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), value)


def test_text_that_looks_like_a_formula_stays_text():
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    ws = wb.add_worksheet("T")
    frame = pd.DataFrame({"text": DANGEROUS, "wrap": DANGEROUS, "link": DANGEROUS})
    write_table(
        ws,
        Styles(wb),
        frame,
        [Col("text", "Text"), Col("wrap", "Wrap", "wrap"), Col("link", "Link", "link")],
        top=0,
    )
    wb.close()
    back = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["T"]
    rust = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_name("T").to_python()
    for i, value in enumerate(DANGEROUS, start=2):
        for col in (1, 2, 3):
            cell = back.cell(i, col)
            assert cell.data_type == "s" and _ooxml_text(cell.value) == value, (value, col)
            assert rust[i - 1][col - 1] == value
            assert cell.hyperlink is None


def test_user_text_in_the_pack_is_never_a_formula_and_only_web_links_are_links(tmp_path):
    risks = tmp_path / "risks.csv"
    rows = ["Risk ID,Risk title,Likelihood,Impact,Owner"]
    rows += [
        f'R-{i},"{v.replace(chr(34), chr(34) * 2)}",3,3,"{v.replace(chr(34), chr(34) * 2)}"'
        for i, v in enumerate(DANGEROUS[:4] + ["=1+1"])
    ]
    risks.write_text("\n".join(rows) + "\n", encoding="utf-8")
    soa = tmp_path / "soa.csv"
    soa.write_text(
        "Control ID,Applicable,Implementation status,Justification,Evidence\n"
        "A.2.2,Yes,Implemented,Policy,https://intranet.example/policy\n"
        "A.2.3,Yes,Implemented,Policy,javascript:alert(1)\n"
        "A.2.4,Yes,Implemented,Policy,file:///etc/passwd\n"
        'A.3.2,Yes,Implemented,Policy,"=HYPERLINK(""http://evil.example"",""x"")"\n',
        encoding="utf-8",
    )
    with open_store(tmp_path / "aims.duckdb") as con:
        for path in (risks, soa):
            assert load_file(con, path, LoadOptions(as_of=dt.date(2026, 9, 30))).outcome == "loaded"
        wb = openpyxl.load_workbook(io.BytesIO(build_pack(con, quarter="2026-Q3")))
    register = wb["Risk register"]
    titles = {register.cell(r, 2).value: register.cell(r, 2).data_type for r in range(6, 11)}
    assert titles == {v: "s" for v in DANGEROUS[:4] + ["=1+1"]}
    links = {}
    for row in wb["Statement of Applicability"].iter_rows(min_row=6):
        evidence = row[7]
        if evidence.value:
            links[evidence.value] = evidence.hyperlink.target if evidence.hyperlink else None
            assert evidence.data_type == "s"
    assert links == {
        "https://intranet.example/policy": "https://intranet.example/policy",
        "javascript:alert(1)": None,
        "file:///etc/passwd": None,
        '=HYPERLINK("http://evil.example","x")': None,
    }


# --- management review -----------------------------------------------------------------------------------


def test_review_records_lists_current_versions_and_judges_overdue(store):
    first = record_review_item(
        store,
        quarter="2026-Q2",
        kind="action",
        text="Fund a red team",
        due_date=dt.date(2026, 8, 31),
        user="cro",
    )
    record_review_item(store, quarter="2026-Q2", kind="decision", text="Adopt the AI policy v2", user="cro")
    record_review_item(store, quarter="2026-Q3", kind="action", text="Not this quarter", user="cro")
    update_review_action(store, first, status="in_progress", user="cro")
    frame = review_records(store, quarter="2026-Q2")
    assert frame[["kind", "text", "status", "versions"]].values.tolist() == [
        ["decision", "Adopt the AI policy v2", "recorded", 1],
        ["action", "Fund a red team", "in_progress", 2],
    ]
    assert frame["overdue"].astype(object).where(frame["overdue"].notna(), None).tolist() == [None, False]
    later = review_records(store, quarter="2026-Q2", as_of=dt.date(2026, 9, 30))  # at the next review
    assert later["overdue"].tolist()[1] is True  # due 2026-08-31: overdue at the next review, not at Q2's end
    assert review_records(store, quarter="2025-Q1").empty


def test_decisions_and_actions_of_the_review_are_in_the_pack(demo_db, quarter, tmp_path):
    path = _copy_demo(demo_db, tmp_path)
    with open_store(path) as con:
        record_review_item(
            con, quarter=quarter, kind="decision", text="=Keep the appetite at 9", user="board"
        )
        record_review_item(
            con,
            quarter=quarter,
            kind="action",
            text="Retrain the credit model",
            owner="CDO",
            due_date=dt.date(2026, 12, 31),
            user="board",
        )
        wb = openpyxl.load_workbook(io.BytesIO(build_pack(con, quarter=quarter)))
    texts = [c.value for row in wb["Management review"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "Decision: =Keep the appetite at 9" in texts
    assert "Action: Retrain the credit model" in texts


# --- command line ----------------------------------------------------------------------------------------


def test_aims_export_writes_the_pack(aims, demo_db, quarter, tmp_path, pack):
    out = tmp_path / "pack.xlsx"
    done = aims("export", "--db", demo_db, "--quarter", quarter, "--out", out)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == pack
    bad = aims("export", "--db", demo_db, "--quarter", "Q3-2026", "--out", out)
    assert bad.returncode == 2 and "not a quarter" in bad.stderr
