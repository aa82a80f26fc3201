"""The control-status loader: one tiny file per problem code, the messy SoA, and CSV reading quirks.

Row numbers are the ones a user sees in the file: 1-based, title, blank and header rows counted.
The fixtures are written by `fixtures/controls/make_fixtures.py`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from loaders.catalog import catalog_rows
from loaders.contracts import CONTRACTS, norm
from loaders.pipeline import FilePlan, LoadOptions, prepare
from metrics.coverage import annex_a_summary
from store.writer import load_file

CONTROLS = Path(__file__).resolve().parent / "fixtures" / "controls"

AS_OF = dt.date(2026, 3, 31)


def plan_of(name: str, **options) -> FilePlan:
    """Read and check a fixture in a throw-away in-memory connection (nothing is written)."""
    with duckdb.connect() as con:
        return prepare(con, CONTROLS / name, LoadOptions(**options))


def found(plan: FilePlan) -> list[tuple]:
    """Every message as (severity, code, sheet, row, column, value), in file order."""
    messages = plan.messages + [m for s in plan.sheets for m in s.messages]
    return sorted(
        ((m.severity, m.code, m.sheet, m.row, m.column, m.value) for m in messages),
        key=lambda t: (t[3] or 0, t[1]),
    )


def stored(
    con: duckdb.DuckDBPyConnection, columns: str = "row_no, requirement_id, applicable, status"
) -> list:
    picked = [duckdb.ColumnExpression(c.strip()) for c in columns.split(",")]
    return con.table("controls").order("row_no").select(*picked).fetchall()


PROBLEM_FILES = [
    # file, exact messages (severity, code, sheet, row, column, value)
    (
        "unknown_requirement.xlsx",
        [
            ("problem", "unknown_requirement", "SoA", 4, "Control ID", "A.11.1"),
            (
                "problem",
                "unknown_requirement",
                "SoA",
                5,
                "Control ID",
                "4",
            ),  # a clause is not a requirement row
        ],
    ),
    (
        "unknown_status.csv",
        [
            ("problem", "unknown_status", None, 3, "Implementation status", "Mostly done"),
            ("problem", "unknown_status", None, 5, "Implementation status", "Yes-ish"),
        ],
    ),
    (
        "unknown_applicability.xlsx",  # title row 1, blank row 2, header row 3
        [("problem", "unknown_applicability", "SoA", 5, "Applicable?", "Maybe")],
    ),
    (
        "bad_date.csv",  # title row 1, header row 2
        [
            ("problem", "bad_date", None, 3, "Evidence date", "2026-02-30"),
            ("problem", "bad_date", None, 5, "Evidence date", "soon"),
        ],
    ),
    (
        "clause_not_applicable.xlsx",  # 5.2 marked "No"; 6.1.2 marked "N/A" in the status
        [
            ("problem", "clause_not_applicable", "SoA", 3, "Applicable?", "5.2"),
            ("problem", "clause_not_applicable", "SoA", 5, "Implementation status", "6.1.2"),
        ],
    ),
    (
        "duplicate_key.csv",  # " a.2.2 " is A.2.2 once normalised
        [
            ("problem", "duplicate_key", None, 4, "Control ID", "A.2.2"),
            ("problem", "duplicate_key", None, 5, "Control ID", "A.2.2"),
        ],
    ),
    ("missing_column.csv", [("problem", "missing_column", None, None, "status", None)]),
    ("missing_value.xlsx", [("problem", "missing_value", "SoA", 4, "Control ID", None)]),
    (
        "conflicting_applicability.csv",  # "Yes" with N/A; "No" or blank with N/A are fine
        [("problem", "conflicting_applicability", None, 2, "Implementation status", "N/A")],
    ),
    ("unknown_dataset.csv", [("problem", "unknown_dataset", None, None, None, None)]),
    ("empty_workbook.xlsx", [("problem", "unknown_dataset", None, None, None, None)]),
    ("empty.csv", [("problem", "unreadable_file", None, None, None, None)]),
    ("empty.xlsx", [("problem", "unreadable_file", None, None, None, None)]),
    ("random_bytes.xlsx", [("problem", "unreadable_file", None, None, None, None)]),
    ("text_named.xlsx", [("problem", "unreadable_file", None, None, None, None)]),
]


@pytest.mark.parametrize(("name", "expected"), PROBLEM_FILES, ids=[p[0] for p in PROBLEM_FILES])
def test_problem_file_gives_exact_messages(name, expected):
    plan = plan_of(name)
    assert found(plan) == expected
    assert not plan.ok


@pytest.mark.parametrize(("name", "expected"), PROBLEM_FILES, ids=[p[0] for p in PROBLEM_FILES])
def test_problem_file_is_refused_and_writes_no_rows(store, name, expected):
    result = load_file(store, CONTROLS / name, LoadOptions(as_of=AS_OF))
    assert result.outcome == "refused"
    assert [(m.code, m.row) for m in result.problems] == [(e[1], e[3]) for e in expected if e[0] == "problem"]
    assert store.execute("select count(*) from controls").fetchone()[0] == 0


def test_duplicate_key_names_the_first_row():
    expected = [m.expected for s in plan_of("duplicate_key.csv").sheets for m in s.messages]
    assert expected == ["each requirement once per file (first at row 2)"] * 2


def test_missing_column_names_accepted_names_and_the_closest_header():
    (message,) = plan_of("missing_column.csv").problems
    assert message.expected.startswith("a column named one of: 'status', 'Implementation status', 'Status'")
    assert message.text == "closest in the file: 'Implementaton state'"


def test_missing_column_without_a_close_header_lists_what_is_in_the_file():
    (message,) = plan_of("missing_column_far.csv").problems
    assert (message.code, message.column) == ("missing_column", "status")
    assert message.text == "columns found: 'Control ID', 'Justification', 'Evidence'"


def test_unknown_dataset_lists_the_datasets_and_what_was_found():
    (message,) = plan_of("unknown_dataset.csv").problems
    for dataset in CONTRACTS:
        assert f"{dataset} (" in message.text
    assert "found: file: 'Name', 'Age', 'City'" in message.text
    assert "--dataset" in message.text


def test_empty_workbook_says_its_sheet_is_empty():
    (message,) = plan_of("empty_workbook.xlsx").problems
    assert "found: Sheet1: (empty)" in message.text


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("empty.csv", "the file is empty"),
        ("empty.xlsx", "the file is empty"),
        ("random_bytes.xlsx", "its content is not a workbook"),
        (
            "text_named.xlsx",
            "it is a text file, not a workbook (if it is a CSV file, name it text_named.csv)",
        ),
    ],
)
def test_unreadable_file_says_why(name, says):
    (message,) = plan_of(name).problems
    assert message.code == "unreadable_file"
    assert says in message.text
    assert message.file == name


def test_unknown_sheet_option_names_the_sheets():
    (message,) = plan_of("messy_soa.xlsx", sheet="Annex A").problems
    assert (message.code, message.text) == (
        "bad_option",
        "there is no sheet named 'Annex A'; sheets: 'SoA', 'Instructions'",
    )


def test_missing_justification_is_a_warning_and_the_file_loads(store):
    result = load_file(store, CONTROLS / "missing_justification.xlsx", LoadOptions(as_of=AS_OF))
    assert result.outcome == "loaded"
    # A.2.3 (applicable) and A.2.4 (excluded) lack a justification; clause 4.1 needs none
    assert [(m.severity, m.code, m.row, m.value) for m in result.messages] == [
        ("warning", "missing_justification", 3, "A.2.3"),
        ("warning", "missing_justification", 5, "A.2.4"),
    ]
    assert store.execute(
        "select severity, code, sheet, row_no, value from import_messages order by row_no"
    ).fetchall() == [
        ("warning", "missing_justification", "SoA", 3, "A.2.3"),
        ("warning", "missing_justification", "SoA", 5, "A.2.4"),
    ]
    assert store.execute("select rows, problems, warnings from imports").fetchall() == [(4, 0, 2)]


# --- the messy Statement of Applicability -------------------------------------------------------------


def test_messy_soa_is_understood():
    plan = plan_of("messy_soa.xlsx")
    (sheet,) = plan.sheets
    assert (sheet.sheet, sheet.header_row, sheet.rows) == ("SoA", 4, 11)
    assert sheet.mapping == {
        "Control ID": "requirement_id",
        "Control name": "title",
        "Applicable?": "applicability",
        "Implementation  Status": "status",
        "Justification": "justification",
        "Owner": "owner",
        "Evidence date": "evidence_date",
        "Last reviewed": "last_reviewed",
    }
    assert sheet.value_maps["status"]["Partially Implemented"] == "partially_implemented"
    assert sheet.value_maps["status"]["N/A"] == "not_applicable"
    assert found(plan) == [
        ("warning", "sheet_skipped", "Instructions", None, None, None),
        ("warning", "missing_justification", "SoA", 12, "Justification", "A.8.2"),
    ]


def test_messy_soa_loads_with_user_row_numbers_and_dates(store):
    result = load_file(store, CONTROLS / "messy_soa.xlsx", LoadOptions(as_of=AS_OF))
    assert result.outcome == "loaded"
    columns = "row_no, requirement_id, applicable, status, evidence_date, last_reviewed"
    assert stored(store, columns) == [
        (
            5,
            "A.2.2",
            True,
            "implemented",
            dt.date(2026, 3, 1),
            dt.date(2026, 4, 15),
        ),  # date cell; "15/04/2026"
        (6, "A.2.3", True, "partially_implemented", dt.date(2026, 1, 31), None),  # "31/01/2026"
        (7, "A.3.3", True, "implemented", dt.date(2026, 1, 28), dt.date(2026, 4, 2)),  # serial 46050
        (8, "A.4.2", False, None, None, None),  # No / N/A
        (9, "A.5.2", False, None, None, None),  # blank / N/A
        (10, "A.6.2.6", True, "planned", None, None),
        (11, "A.7.2", True, "not_implemented", None, None),
        (12, "A.8.2", True, "not_assessed", None, None),  # blank status
        (14, "4.1", True, "implemented", None, None),  # row 13 is blank
        (15, "9.2", True, "partially_implemented", None, None),
        (16, "A.9.2", True, "implemented", dt.date(2026, 2, 5), None),  # "05.02.2026", day-first
    ]
    assert store.execute("select distinct status_raw from controls where row_no = 6").fetchone() == (
        "Partially Implemented",
    )


def test_messy_soa_annex_a_rate_equals_a_count_by_hand(store):
    load_file(store, CONTROLS / "messy_soa.xlsx", LoadOptions(as_of=AS_OF))
    summary = annex_a_summary(store, as_of=AS_OF)
    # Annex A rows in the file: implemented A.2.2, A.3.3, A.9.2 (3); partially A.2.3 (1); planned A.6.2.6 (1);
    # not implemented A.7.2 (1); not assessed A.8.2 (1); not applicable A.4.2, A.5.2 (2). The other
    # 38 - 9 = 29 catalog controls are missing from the SoA: applicable and not assessed.
    assert summary.controls == 38
    assert summary.assessed == 9
    assert summary.applicable == 36  # 38 - 2 not applicable
    assert summary.counts == {
        "implemented": 3,
        "partially_implemented": 1,
        "planned": 1,
        "not_implemented": 1,
        "not_assessed": 30,  # 1 + 29
        "not_applicable": 2,
    }
    assert summary.implementation_rate == pytest.approx(3 / 36)  # 0.0833
    assert summary.weighted_score == pytest.approx((3 + 0.5 * 1) / 36)  # 0.0972
    assert summary.sources == ["messy_soa.xlsx"]


# --- CSV reading quirks -------------------------------------------------------------------------------


def test_utf8_bom_is_not_part_of_the_first_header(store):
    plan = plan_of("utf8_bom.csv")
    assert list(plan.sheets[0].mapping) == [
        "control id",
        "Applicable?",
        "Implementation Status",
        "Justification",
    ]
    load_file(store, CONTROLS / "utf8_bom.csv", LoadOptions(as_of=AS_OF))
    assert stored(store) == [(2, "A.2.2", True, "implemented"), (3, "A.3.2", True, "partially_implemented")]


def test_cp1252_text_is_decoded(store):
    assert plan_of("cp1252.csv").sheets[0].mapping["ANNEX A REF"] == "requirement_id"
    load_file(store, CONTROLS / "cp1252.csv", LoadOptions(as_of=AS_OF))
    assert stored(store, "row_no, requirement_id, justification, owner") == [
        (2, "A.2.2", "Politique validée – “signée”", "José Müller"),
        (3, "A.2.3", "Alignement prévu", "Zoë"),
    ]


def test_semicolon_file_with_title_rows_reads_dates_day_first(store):
    plan = plan_of("semicolon_titles.csv")
    assert (plan.sheets[0].header_row, plan.sheets[0].rows, found(plan)) == (3, 3, [])
    load_file(store, CONTROLS / "semicolon_titles.csv", LoadOptions(as_of=AS_OF))
    # 03.02.2026 is ambiguous on its own; a `;` file comes from a day-first locale
    assert stored(store, "row_no, requirement_id, applicable, status, justification, evidence_date") == [
        (4, "A.2.2", True, "implemented", "Approved", dt.date(2026, 2, 3)),
        (5, "A.2.3", False, None, "Group policy", None),
        (6, "A.2.4", True, "partially_implemented", "Yearly", dt.date(2026, 1, 4)),
    ]


def test_formula_escape_quote_is_stripped_only_before_formula_characters(store):
    load_file(store, CONTROLS / "formula_escape.csv", LoadOptions(as_of=AS_OF))
    assert [n for (n,) in store.execute("select notes from controls order by row_no").fetchall()] == [
        '=HYPERLINK("x")',
        "+44 20 7946 0000",
        "-5",
        "@risk",
        "'plain quote",
    ]


def test_blank_lines_and_multiline_cells_keep_row_numbers(store):
    plan = plan_of("blank_lines.csv")
    assert plan.sheets[0].header_row == 3
    assert found(plan) == [("problem", "unknown_status", None, 7, "Implementation status", "Nope")]
    with duckdb.connect() as con:
        plan = prepare(con, CONTROLS / "blank_lines.csv", LoadOptions())
        rows = con.execute(
            "select row_no, requirement_id, justification from query_table($t) order by row_no",
            {"t": plan.sheets[0].store_table},
        ).fetchall()
    assert rows == [
        (4, "A.2.2", "Approved"),
        (6, "A.2.3", "Aligned with\nthe group policy"),
        (7, "A.2.4", "Reviewed"),
    ]


@pytest.mark.parametrize(
    ("header", "alias"),
    [
        ("control id", "Control ID"),
        ("ANNEX A REF", "Annex A ref"),
        ("Applicable?", "Applicable"),
        ("  Implementation  Status ", "Implementation status"),
        ("Justification for inclusion / exclusion", "Justification for inclusion/exclusion"),
    ],
)
def test_header_aliases_ignore_case_space_and_punctuation(header, alias):
    assert norm(header) == norm(alias)


def test_header_alias_table_covers_the_common_spellings():
    fields = {f.name: set(f.alias_keys()) for f in CONTRACTS["controls"].fields}
    assert {norm("control id"), norm("ANNEX A REF"), norm("Ref")} <= fields["requirement_id"]
    assert norm("Applicable?") in fields["applicability"]
    assert norm("Implementation status") in fields["status"]


def test_lower_case_ids_with_spaces_are_normalised(tmp_path, store):
    path = tmp_path / "ids.csv"
    path.write_text("Control ID,Status,Justification\n a.3.3 ,Done,x\nA6.2.6,Done,y\nclause 4.1,Done,\n")
    result = load_file(store, path, LoadOptions(as_of=AS_OF))
    assert result.outcome == "loaded"
    assert stored(store, "row_no, requirement_id") == [(2, "A.3.3"), (3, "A.6.2.6"), (4, "4.1")]


@pytest.mark.parametrize("gap", ["", "\n"], ids=["no blank line", "with a blank line"])
def test_cp1252_character_beyond_the_sniffed_sample(store, tmp_path, gap):
    # 1,200 plain ASCII rows (more than the 64 KB sample), then one cp1252 character
    ids = [r["id"] for r in catalog_rows() if r["kind"] in ("subclause", "control")]
    lines = ["Control ID,Implementation status,Justification,Notes"]
    lines += [f"{ids[i % len(ids)]},Implemented,ok,{'n' * 60}" for i in range(1200)]
    body = "\n".join(lines[:-1]) + "\n" + gap + lines[-1].replace(",ok,", ",café,") + "\n"
    path = tmp_path / "late_cp1252.csv"
    path.write_bytes(body.encode("cp1252"))
    result = load_file(store, path, LoadOptions(as_of=AS_OF))
    # every id repeats (74 ids, 1,200 rows), so the file is refused, but it is read, with the right rows
    assert result.outcome == "refused"
    assert {m.code for m in result.problems} == {"duplicate_key"}
    last = 1201 + len(gap)
    assert max(m.row for m in result.problems) == last


def test_overlong_cell_is_refused_with_a_short_message(tmp_path):
    path = tmp_path / "long_cell.csv"
    path.write_text(
        "Control ID,Implementation status,Justification\nA.2.2,Implemented," + "x" * 200_000 + "\n"
    )
    with duckdb.connect() as con:
        (message,) = prepare(con, path).problems
    assert message.code == "unreadable_file"
    assert message.text == "cannot be read as CSV: field larger than field limit (131072)"


def test_line_over_duckdb_limit_is_refused_without_echoing_it(tmp_path):
    path = tmp_path / "long_line.csv"
    cells = ",".join(["x" * 110_000] * 20)  # 2.2 MB on one line, each cell below the csv module's limit
    path.write_text(f"Control ID,Implementation status,Justification\nA.2.2,Implemented,{cells}\n")
    with duckdb.connect() as con:
        (message,) = prepare(con, path).problems
    assert message.code == "unreadable_file"
    assert message.text.startswith("cannot be read as CSV: Invalid Input Error: CSV Error on Line: 2")
    assert "Maximum line size" in message.text
    assert len(message.text) <= 430
