"""The bulk path for large CSV files (`loaders.fastcsv`, `store.bulk`) stores exactly what the generic path
stores and reports the same problems on the same files, clean or dirty, read in one part or several."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import store.bulk as bulk
import store.digest as digest
from loaders import fastcsv
from loaders.pipeline import LoadOptions
from store.writer import load_file, open_store

HEADER = (
    "timestamp,ai_system,model_version,metric,feature,value,lower_threshold,upper_threshold,verdict,test_name"
)
METRICS = ["accuracy", "psi", "latency_ms", "f1"]


def point(i: int, **cells: str) -> str:
    row = {
        "timestamp": (dt.datetime(2026, 7, 1) + dt.timedelta(minutes=i // 8)).strftime("%Y-%m-%d %H:%M:%S"),
        "ai_system": ["Credit scoring", "Claims triage"][i % 2],
        "model_version": "v3",
        "metric": METRICS[(i // 2) % 4],
        "feature": "income",
        "value": f"{(i * 37 % 1000) / 1000:.3f}",
        "lower_threshold": "0.1",
        "upper_threshold": "0.95",
        "verdict": "pass",
        "test_name": f"check {i % 3}",
    } | cells
    return ",".join(row.values())


def csv_file(folder: Path, name: str, rows: list[str], header: str = HEADER, top: str = "") -> Path:
    path = folder / name
    path.write_text(top + header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def plain(n: int) -> list[str]:
    return [point(i) for i in range(n)]


def replaced(rows: list[str], changes: dict[int, str]) -> list[str]:
    for i, row in changes.items():
        rows[i] = row
    return rows


def edited(n: int, changes: dict[int, str]) -> list[str]:
    return replaced(plain(n), changes)


# Line numbers in comments are the rows a user sees (the header is row 1).
CASES = {
    "clean": lambda: plain(400),
    # the issue's example: a decimal comma in an otherwise dot-decimal column (rows 12 and 391)
    "decimal_comma": lambda: edited(400, {10: point(10, value='"0,85"'), 389: point(389, value='"1,5"')}),
    "missing_values": lambda: edited(
        400, {5: point(5, ai_system=""), 300: point(300, value="", metric="  ")}
    ),
    "duplicate_key": lambda: edited(400, {7: point(3), 350: point(349)}),
    # the same key by another spelling of the system (its key ignores case and spaces), one of them on a
    # line typed the generic way
    "duplicate_key_spelled_apart": lambda: edited(
        400,
        {
            7: point(3, ai_system="CLAIMS  triage"),
            351: point(349, ai_system="claimstriage", value="'-0.5", lower_threshold="-1"),
        },
    ),
    "lower_above_upper": lambda: edited(400, {20: point(20, lower_threshold="0.9", upper_threshold="0.2")}),
    "unknown_verdict": lambda: edited(
        400, {30: point(30, verdict="maybe"), 31: point(31, verdict="Succeeded")}
    ),
    # rejected by the typed read, but fine for the generic typing: they load, with the generic values
    "typed_the_generic_way": lambda: edited(
        400,
        {
            4: point(4, timestamp="2026-07-01T00:00:30+02:00"),
            40: point(40, value="'-0.5", lower_threshold="-1"),
            41: point(41, timestamp="30/07/2026 06:00"),
            300: point(300, timestamp="1782950400000"),
        },
    ),
    "text_cleaned": lambda: edited(
        400,
        {
            0: point(0, ai_system=" Credit scoring  "),  # the system's first row: shown as kept
            2: point(2, ai_system="  Credit scoring ", test_name="'=SUM(A1)"),
            3: point(3, feature="\u00a0income", test_name="'+1 sigma"),
        },
    ),
    "bad_date_and_number": lambda: edited(
        400, {0: point(0, timestamp="2026-02-30 00:00:00"), 250: point(250, value="abc")}
    ),
    "blank_rows_of_commas": lambda: edited(400, {60: ",,,,,,,,,", 61: ",,,,,,,,,"}),
    # words DuckDB reads as date-times, both ways alike; `now` is typed the generic way
    "date_words": lambda: edited(
        400,
        {8: point(8, timestamp="epoch"), 9: point(9, timestamp="infinity"), 10: point(10, timestamp="now")},
    ),
    "short_lines": lambda: edited(400, {70: "2026-07-01 09:00:00,Credit scoring,v3,accuracy"}),
    # date-times with UTC marked (Z, +00:00) or fractions of a second, read in that format; the lines in
    # another (another offset, no zone, seven digits) are rejected and typed the generic way
    "utc_z": lambda: stamped(
        400,
        "%Y-%m-%dT%H:%M:%SZ",
        {5: "2026-07-01T02:00:00+02:00", 6: "2026-07-01T00:00:45.5Z", 7: "2026-07-01T00:00:50"},
    ),
    "utc_z_fractions": lambda: stamped(400, "%Y-%m-%dT%H:%M:%S.%fZ", {9: "2026-07-01T00:01:00Z"}, digits=3),
    "utc_offset": lambda: stamped(400, "%Y-%m-%d %H:%M:%S+00:00", {3: "2026-07-01 01:00:20+01:00"}),
    "fractions": lambda: stamped(
        400, "%Y-%m-%d %H:%M:%S.%f", {4: "2026-07-01 00:00:30.1234567", 5: "2026-07-01 00:00:40"}, digits=6
    ),
    # numeric dates, day first (the first lines show days above 12): single digits and a 2-digit year read
    # the typed way, seconds, another separator and an ISO date-time typed the generic way
    "day_first": lambda: dated(
        400,
        "%d/%m/%Y %H:%M",
        {
            12: "4/7/2026 6:05",
            13: "31/07/26 06:00",
            14: "1/8/2026 06:00:30",  # alone, these two would not tell the order
            15: "1-8-2026 06:00",
            16: "2026-07-31T06:00:00",
        },
    ),
    "month_first": lambda: dated(400, "%m/%d/%Y", {20: "12/31/99"}),
}


def dated(n: int, fmt: str, changes: dict[int, str]) -> list[str]:
    """Plain rows dated a day apart in turn over four weeks (the first lines show days above 12), their
    date-times written in `fmt`, some replaced; a feature of their own, so that dates alone make no
    duplicate keys."""
    rows = []
    for i in range(n):
        at = dt.datetime(2026, 7, 1 + i % 28) + dt.timedelta(minutes=i // 28)
        rows.append(point(i, timestamp=changes.get(i, at.strftime(fmt)), feature=f"feature {i}"))
    return rows


def stamped(n: int, fmt: str, changes: dict[int, str], digits: int = 0) -> list[str]:
    """Plain rows with their date-times written in `fmt` (fractions cut to `digits`), some replaced."""
    rows = []
    for i in range(n):
        at = dt.datetime(2026, 7, 1) + dt.timedelta(minutes=i // 8, microseconds=i * 12_500)
        text = at.strftime(fmt)
        if digits:
            text = text.replace(f"{at.microsecond:06d}", f"{at.microsecond:06d}"[:digits])
        rows.append(point(i, timestamp=changes.get(i, text)))
    return rows


@pytest.fixture(autouse=True)
def _cut_small_files(monkeypatch):
    """Files of any size are cut into pieces for the parts (`store.digest.Split`), as large ones are."""
    monkeypatch.setattr(digest, "SPLIT_MIN_BYTES", 0)


def _path_taken(monkeypatch, *, bulk_path: bool, entry: str) -> list[bool]:
    """Sends files the bulk way (or never), in several parts even when small; the list fills with whether
    each call of `store.bulk.<entry>` took the file (rather than handing it to the generic path)."""
    monkeypatch.setattr(fastcsv, "FAST_MIN_BYTES", 0 if bulk_path else 1 << 62)
    monkeypatch.setattr(bulk, "_PART_ROWS", 1)
    taken: list[bool] = []
    original = getattr(bulk, entry)

    def spy(*args, **kwargs):
        result = original(*args, **kwargs)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(bulk, entry, spy)
    return taken


def _load(db: Path, path: Path, options: LoadOptions, *, bulk_path: bool, monkeypatch) -> dict:
    taken = _path_taken(monkeypatch, bulk_path=bulk_path, entry="load_bulk")
    con = open_store(db, wait=1)
    try:
        con.execute("set threads = 2")
        result = load_file(con, path, options, user="tester")
        stored = con.execute(
            "select * exclude (import_id) from monitoring order by row_no"
        ).fetchall()  # row_no first
        imports = con.execute(
            "select dataset, file_name, sha256, sheet, header_row, as_of, as_of_source, rows, problems, "
            "warnings, outcome from imports"
        ).fetchall()
        kept = con.execute("select sha256, size, first_name from files").fetchall()
    finally:
        con.close()
    return {
        "outcome": result.outcome,
        "messages": sorted(
            ((m.severity, m.code, m.row, m.column, m.value, m.expected, m.text) for m in result.messages),
            key=repr,  # a message that counts rows has none
        ),
        "stored": stored,
        "imports": imports,
        "files": kept,
        "bulk": taken == [True] if bulk_path else taken == [],
    }


def test_the_same_file_again_is_unchanged_with_its_rows_and_warnings_as_on_the_generic_path(
    tmp_path, monkeypatch
):
    """The bulk path does not read a file it loaded before: it says what the import logged."""
    path = csv_file(tmp_path, "monitoring_again.csv", plain(400))
    options = LoadOptions(dataset="monitoring", as_of=dt.date(2026, 9, 30))
    seen = {}
    for bulk_path in (False, True):
        taken = _path_taken(monkeypatch, bulk_path=bulk_path, entry="load_bulk")
        with open_store(tmp_path / f"{bulk_path}.duckdb", wait=1) as con:
            first = load_file(con, path, options, user="tester")
            again = load_file(con, path, options, user="tester")
        assert taken == ([True, True] if bulk_path else [])  # the second: unchanged, before any read
        [ref] = again.imports
        seen[bulk_path] = (first.outcome, again.outcome, ref.import_id, ref.rows, ref.warnings)
        seen[bulk_path] += (again.plan.sheets[0].rows,)
    assert seen[True] == seen[False] == ("loaded", "unchanged", 1, 400, 2, 400)


def both(tmp_path: Path, path: Path, monkeypatch, options: LoadOptions | None = None) -> tuple[dict, dict]:
    options = options or LoadOptions(dataset="monitoring", as_of=dt.date(2026, 9, 30))
    generic = _load(tmp_path / "generic.duckdb", path, options, bulk_path=False, monkeypatch=monkeypatch)
    fast = _load(tmp_path / "bulk.duckdb", path, options, bulk_path=True, monkeypatch=monkeypatch)
    assert fast.pop("bulk") and generic.pop("bulk"), "the path under test was not the one taken"
    return generic, fast


@pytest.mark.parametrize("case", sorted(CASES))
def test_bulk_path_stores_and_reports_what_the_generic_path_does(case, tmp_path, monkeypatch):
    path = csv_file(tmp_path, f"monitoring_{case}.csv", CASES[case]())
    generic, fast = both(tmp_path, path, monkeypatch)
    assert fast == generic


@pytest.mark.parametrize(
    ("case", "rejected"),
    [("utc_z", [7, 8, 9]), ("utc_z_fractions", [11]), ("utc_offset", [5]), ("fractions", [6, 7])],
)
def test_date_times_in_a_utc_or_fractional_format_are_read_in_it(case, rejected, tmp_path, monkeypatch):
    """The typed read takes every line in the sample's format (Z, +00:00, fractions of a second) and
    rejects only the others, which the generic typing reads; the values are the generic path's."""
    found = _rejected_lines(monkeypatch)
    generic, fast = both(tmp_path, csv_file(tmp_path, f"{case}.csv", CASES[case]()), monkeypatch)
    assert fast == generic and fast["outcome"] == "loaded"
    assert [line for line, _, _ in found[-1]] == rejected
    stored = {r[0]: r for r in fast["stored"]}
    # row 42 holds point 40: five minutes in, and half a second where the format has fractions
    assert dt.datetime(2026, 7, 1, 0, 5, 0, 500_000 if "fractions" in case else 0) in stored[42]


@pytest.mark.parametrize(("case", "rejected"), [("day_first", [16, 17, 18]), ("month_first", [])])
def test_numeric_dates_are_read_in_the_order_the_first_lines_show(case, rejected, tmp_path, monkeypatch):
    """Day-first or month-first dates: DuckDB reads them in the order the first lines show (a part
    above 12), in their separator, with or without a time; a 2-digit year is this century's, as on the
    generic path; the other lines are typed the generic way in the same order."""
    found = _rejected_lines(monkeypatch)
    generic, fast = both(tmp_path, csv_file(tmp_path, f"{case}.csv", CASES[case]()), monkeypatch)
    assert fast == generic and fast["outcome"] == "loaded"
    assert [line for line, _, _ in found[-1]] == rejected
    stored = {r[0]: r for r in fast["stored"]}
    if case == "day_first":
        assert dt.datetime(2026, 7, 4, 6, 5) in stored[14] and dt.datetime(2026, 7, 31, 6) in stored[15]
        assert dt.datetime(2026, 8, 1, 6, 0, 30) in stored[16] and dt.datetime(2026, 8, 1, 6) in stored[17]
    else:
        assert dt.datetime(2099, 12, 31) in stored[22] and dt.datetime(2026, 7, 14) in stored[15]


def test_numeric_dates_whose_order_the_whole_file_turns_go_the_generic_way(tmp_path, monkeypatch):
    """`--dayfirst`, but a later date can only be month-first: the generic typing reads the whole
    column month-first then (the data tell before the option), so the bulk path hands the file on. A
    first sample that does not tell the order, with no option and a `,` file, is the generic path's."""
    rows = [point(i, timestamp=f"{1 + i % 12:02d}/07/2026 00:00", feature=f"f{i}") for i in range(4000)]
    rows[3900] = point(3900, timestamp="07/13/2026 00:00", feature="f3900")
    path = csv_file(tmp_path, "turned.csv", rows)
    options = LoadOptions(dataset="monitoring", as_of=dt.date(2026, 9, 30), dayfirst=True)
    assert fastcsv.plan(path, options, min_bytes=0).date_order == "dmy"
    assert fastcsv.plan(path, LoadOptions(dataset="monitoring"), min_bytes=0) is None
    generic = _load(tmp_path / "generic.duckdb", path, options, bulk_path=False, monkeypatch=monkeypatch)
    fast = _load(tmp_path / "bulk.duckdb", path, options, bulk_path=True, monkeypatch=monkeypatch)
    assert fast.pop("bulk") is False and generic.pop("bulk")  # tried, then handed over
    assert fast == generic
    stored = {r[0]: r for r in fast["stored"]}
    assert fast["outcome"] == "loaded" and dt.datetime(2026, 1, 7) in stored[2]  # "01/07/2026": month first


def test_equal_results_are_not_vacuous(tmp_path, monkeypatch):
    """What the comparison above stands on: the dirty cases are refused with the issue's problems."""
    expected = {
        "clean": ("loaded", set()),
        "decimal_comma": ("refused", {("bad_number", 12, "0,85"), ("bad_number", 391, "1,5")}),
        "missing_values": ("refused", {("missing_value", 7, None), ("missing_value", 302, None)}),
        "bad_date_and_number": (
            "refused",
            {("bad_date", 2, "2026-02-30 00:00:00"), ("bad_number", 252, "abc")},
        ),
        "typed_the_generic_way": ("loaded", set()),
        "duplicate_key_spelled_apart": (
            "refused",
            {
                ("duplicate_key", 9, "2026-07-01 00:00:00 / claimstriage / v3 / psi / income"),
                ("duplicate_key", 353, "2026-07-01 00:43:00 / claimstriage / v3 / latency_ms / income"),
            },
        ),
    }
    for case, (outcome, problems) in expected.items():
        folder = tmp_path / case
        folder.mkdir()
        _, fast = both(folder, csv_file(folder, f"{case}.csv", CASES[case]()), monkeypatch)
        assert fast["outcome"] == outcome, case
        found = {
            (code, row, value)
            for severity, code, row, _, value, _, _ in fast["messages"]
            if severity == "problem"
        }
        assert problems <= found, case


def _check(path: Path, options: LoadOptions, *, bulk_path: bool, monkeypatch) -> dict:
    """A dry run (`load_file` without a store), and whether the bulk path checked it."""
    taken = _path_taken(monkeypatch, bulk_path=bulk_path, entry="check_bulk")
    result = load_file(None, path, options, dry_run=True)
    sheet = result.plan.sheets[0]
    return {
        "outcome": result.outcome,
        "sha256": result.sha256,
        "messages": sorted(
            ((m.severity, m.code, m.row, m.column, m.value, m.expected, m.text) for m in result.messages),
            key=repr,  # a message that counts rows has none
        ),
        "plan": (sheet.dataset, sheet.header_row, sheet.as_of, sheet.as_of_source, sheet.rows, sheet.mapping),
        "bulk": taken == ([True] if bulk_path else []),
    }


@pytest.mark.parametrize(
    "case", ["clean", "decimal_comma", "missing_values", "duplicate_key", "typed_the_generic_way"]
)
def test_a_dry_run_of_a_large_file_is_checked_the_bulk_way(case, tmp_path, monkeypatch):
    """`aims load --dry-run` and the Data page's preview: the same outcome, problems and plan as the
    generic dry run, in a store of its own that is thrown away (nothing kept next to any database)."""
    path = csv_file(tmp_path, f"monitoring_{case}.csv", CASES[case]())
    options = LoadOptions(dataset="monitoring", as_of=dt.date(2026, 9, 30))
    generic = _check(path, options, bulk_path=False, monkeypatch=monkeypatch)
    fast = _check(path, options, bulk_path=True, monkeypatch=monkeypatch)
    assert fast.pop("bulk") and generic.pop("bulk"), "the path under test was not the one taken"
    assert fast == generic
    assert fast["outcome"] == "checked" and len(fast["sha256"]) == 64
    assert (case in ("clean", "typed_the_generic_way")) == (
        not any(m[0] == "problem" for m in fast["messages"])
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def european(rows: list[str]) -> list[str]:
    """Plain rows as a European export writes them: `;` between cells, decimal commas."""
    numbers = {HEADER.split(",").index(n) for n in ("value", "lower_threshold", "upper_threshold")}
    return [
        ";".join(c.replace(".", ",") if i in numbers else c for i, c in enumerate(row.split(",")))
        for row in rows
    ]


def _rejected_lines(monkeypatch) -> list[list]:
    """Fills with the lines each typed read rejected (`fastcheck.rejected_lines`)."""
    from loaders import fastcheck

    found: list[list] = []
    original = fastcheck.rejected_lines
    monkeypatch.setattr(fastcheck, "rejected_lines", lambda *a: found.append(original(*a)) or found[-1])
    return found


EUROPEAN = {
    "clean": {},
    "bad_number": {10: point(10, value="n/a")},
    # a formula escape before a decimal comma (rejected by the typed read, typed the generic way), and a
    # decimal comma with an exponent
    "escape_and_exponent": {20: point(20, value="'-0.5"), 30: point(30, value="1.5e-1")},
}


@pytest.mark.parametrize("case", sorted(EUROPEAN))
def test_a_european_export_is_read_the_bulk_way_with_its_decimal_commas(case, tmp_path, monkeypatch):
    """`;` and decimal commas (the sample shows them and no dot decimal): DuckDB reads the numbers with
    a comma for a mark, so the typed read rejects no clean line, and the file stores and reports what
    the generic path does; the clean file stores the values of the same file written with dots."""
    rows = european(plain(400))
    for i, row in EUROPEAN[case].items():
        rows[i] = european([row])[0]
    path = csv_file(tmp_path, f"monitoring_{case}.csv", rows, header=HEADER.replace(",", ";"))
    rejected = _rejected_lines(monkeypatch)
    generic, fast = both(tmp_path, path, monkeypatch)
    assert fast == generic
    if case == "clean":
        assert rejected == [[]] and fast["outcome"] == "loaded"
        dotted = tmp_path / "dotted"
        dotted.mkdir()
        _, same = both(dotted, csv_file(dotted, "monitoring_dots.csv", plain(400)), monkeypatch)
        assert fast["stored"] == same["stored"]
    elif case == "bad_number":
        assert [line for line, _, _ in rejected[-1]] == [12]
        problems = {(m[1], m[2], m[4]) for m in fast["messages"] if m[0] == "problem"}
        assert fast["outcome"] == "refused" and problems == {("bad_number", 12, "n/a")}
    else:
        assert [line for line, _, _ in rejected[-1]] == [22]  # the escape
        stored = {r[0]: r for r in fast["stored"]}
        assert fast["outcome"] == "loaded" and -0.5 in stored[22] and 0.15 in stored[32]


OTHER_MARK = {  # a number with the other decimal mark than the read's, after the sampled lines
    # the generic typing reads the column with dots then, and every decimal comma in it is a bad number
    "dot_in_a_european_file": lambda: replaced(
        european(plain(4000)), {3900: european([point(3900)])[0].replace("0,95", "0.95")}
    ),
    # a dot as a thousands mark: 1234.5 in a column of decimal commas
    "thousands_dot": lambda: replaced(
        european(plain(4000)), {3900: european([point(3900)])[0].replace(";0,95", ';"1.234,5"')}
    ),
    # the sample shows whole numbers only; a dot decimal and a decimal comma come later
    "both_marks_late": lambda: replaced(
        [point(i, lower_threshold="0") for i in range(4000)],
        {3800: point(3800, lower_threshold="0.5"), 3900: point(3900, lower_threshold='"0,5"')},
    ),
    # the same, a decimal comma alone: the generic typing decides for commas
    "comma_late": lambda: replaced(
        [point(i, lower_threshold="0") for i in range(4000)], {3900: point(3900, lower_threshold='"0,5"')}
    ),
}


@pytest.mark.parametrize("case", sorted(OTHER_MARK))
def test_a_number_with_the_other_decimal_mark_sends_the_file_the_generic_way(case, tmp_path, monkeypatch):
    """The generic typing decides a column's decimal mark over all its cells; a rejected line whose
    number could turn that decision is one the bulk path cannot type alone, so it hands the file on."""
    header = HEADER.replace(",", ";") if case in ("dot_in_a_european_file", "thousands_dot") else HEADER
    path = csv_file(tmp_path, f"monitoring_{case}.csv", OTHER_MARK[case](), header=header)
    options = LoadOptions(dataset="monitoring", as_of=dt.date(2026, 9, 30))
    generic = _load(tmp_path / "generic.duckdb", path, options, bulk_path=False, monkeypatch=monkeypatch)
    fast = _load(tmp_path / "bulk.duckdb", path, options, bulk_path=True, monkeypatch=monkeypatch)
    assert fast.pop("bulk") is False and generic.pop("bulk")  # tried, then handed over
    assert fast == generic
    problems = {(m[1], m[2], m[4]) for m in fast["messages"] if m[0] == "problem"}
    if case == "dot_in_a_european_file":  # every other upper threshold is now a bad number
        assert (
            fast["outcome"] == "refused" and len(problems) == 3999 and ("bad_number", 2, "0,95") in problems
        )
    elif case == "both_marks_late":
        assert fast["outcome"] == "refused" and problems == {("bad_number", 3902, "0,5")}
    else:
        stored = {r[0]: r for r in fast["stored"]}
        assert fast["outcome"] == "loaded" and (1234.5 if case == "thousands_dot" else 0.5) in stored[3902]


@pytest.mark.slow
def test_title_rows_semicolons_and_valuesreplaced(tmp_path, monkeypatch):
    """A semicolon file with title rows, larger than the sample: the verdict spelled differently and the
    text to clean come after the sampled lines, where only the bulk path's fix-ups see them."""
    rows = [r.replace(",", ";") for r in plain(6000)]
    rows[5500] = point(5500, verdict="Succeeded", ai_system=" Credit scoring ").replace(",", ";")
    rows[5501] = point(5501, verdict="SUCCESS").replace(",", ";")
    path = csv_file(
        tmp_path,
        "monitoring_2026-Q3.csv",
        rows,
        header=HEADER.replace(",", ";"),
        top="Model monitoring\nExported 2026-10-01\n",
    )
    generic, fast = both(tmp_path, path, monkeypatch, LoadOptions(dataset="monitoring"))
    assert fast == generic
    assert fast["outcome"] == "loaded" and fast["imports"][0][4] == 3  # header row 3, as-of from the name


@pytest.mark.slow
@pytest.mark.parametrize("pieces", [True, False], ids=["pieces", "skip"])
def test_several_parts_number_every_row_as_in_the_file(pieces, tmp_path, monkeypatch):
    """Parts read at once, from pieces of the file or with `skip`, with rejected lines in every part:
    every row keeps its own line number, and no pipe is left open."""
    if not pieces:
        monkeypatch.setattr(digest, "SPLIT_MIN_BYTES", 1 << 62)
    read: list = []
    parts = bulk._parts
    monkeypatch.setattr(bulk, "_parts", lambda *a: read.append(parts(*a)) or read[-1])
    rows = plain(3000)
    rows[100] = point(100, timestamp="2026-07-01T00:12:30Z")  # typed the generic way
    rows[200] = point(200, timestamp="2026-07-01 00:25:00.250")
    rows[2500] = point(2500, timestamp="2026-07-02T10:00:00Z")  # in the second part
    rows[2998] = point(2998, value="1e-3")
    path = csv_file(tmp_path, "parts.csv", rows)
    open_before = sorted(Path("/proc/self/fd").iterdir())
    generic, fast = both(tmp_path, path, monkeypatch)
    assert fast == generic
    assert [r[0] for r in fast["stored"]] == list(range(2, 3002))
    assert dt.datetime(2026, 7, 2, 10) in fast["stored"][2500]  # row 2502 holds its own values
    [first, second] = read[0]
    assert first.piece is None and (second.piece is not None) is pieces
    assert 1000 < second.start < 2000  # the parts are about equal
    assert sorted(Path("/proc/self/fd").iterdir()) == open_before


def test_a_file_is_cut_at_line_ends_with_its_lines_counted(tmp_path):
    """The pieces' bytes are the file's from each cut on, the lines before each cut are counted (CRLF
    ends too; quoted fields, escaped quotes in them), and a file whose line count DuckDB could see
    otherwise (a quoted field across lines, a lone carriage return) is not cut."""
    escaped = '"a ""b"""'  # a quoted field with escaped quotes in it
    lines = [f'{i},"{"x" * (i % 50)}",{escaped if i % 7 else ""}\r\n'.encode() for i in range(20_000)]
    path = tmp_path / "crlf.csv"
    path.write_bytes(b"".join(lines))
    split = digest._cut(path, 3)
    try:
        pieces = [Path(p).read_bytes() for p in split.paths]
    finally:
        split.close()
    first = len(lines) * 0  # the lines before each cut, and what follows it, are the file's
    for before, piece in zip(split.lines, pieces, strict=True):
        assert piece.startswith(lines[before]) and 5000 < before - first
        first = before
    assert b"".join(lines).endswith(pieces[-1]) and pieces[0].endswith(lines[split.lines[1] - 1])
    for name, change in (("quote", b'7,"a\r\nb"\r\n'), ("lone_cr", b"7,a\rb\r\n"), ("odd", b'7,a"\r\n')):
        other = tmp_path / f"{name}.csv"
        other.write_bytes(b"".join(lines[:7] + [change] + lines[8:]))
        assert digest._cut(other, 2) is None, name
    assert digest._cut(path, 1) is None


def test_a_quoted_field_across_lines_is_found_wherever_the_chunks_meet(tmp_path):
    """The file check's parity of quotes carries over from one chunk to the next: a field that opens in
    one chunk and closes in the next is across lines only if a line feed is between."""
    from store.digest import _CHUNK, Digest

    found = {}
    for name, field in (("across", b'"a\nb"'), ("within", b'"a b"'), ("pairs", b'"a ""\n"" b"')):
        head = b"h,t\n" + b"1,x\n" * ((_CHUNK - 20) // 4)
        head += b"1," + b"x" * (_CHUNK - 3 - len(head) - 3) + b"\n"
        path = tmp_path / f"{name}.csv"
        path.write_bytes(head + b"2," + field + b"\n" + b"3,y\n" * 1000)
        assert len(head) + 2 == _CHUNK - 1  # the field's opening quote ends the first chunk
        checked = Digest(path, tmp_path / "kept", keep=False)
        checked.start()
        found[name] = checked.result().odd_quotes
    assert found == {"across": True, "within": False, "pairs": True}


QUOTED = {  # every text field quoted, as many tools write them; a field across lines after the sample
    "quoted": lambda: [_quoted(r) for r in plain(4000)],
    "across_lines": lambda: replaced(
        [_quoted(r) for r in plain(4000)], {3800: _quoted(point(3800, test_name="two\nlines"))}
    ),
}


def _quoted(row: str) -> str:
    cells = row.split(",")
    return ",".join(f'"{c}"' if i in (1, 2, 3, 4, 9) else c for i, c in enumerate(cells))


@pytest.mark.parametrize("case", sorted(QUOTED))
def test_quoted_fields_are_read_in_parts_unless_one_spans_lines(case, tmp_path, monkeypatch):
    """Quoted fields throughout: the lines are the records, so the file is cut and read in parts; a
    quoted field across lines anywhere: read again in one part. Both store what the generic path does."""
    read: list = []
    parts, write = bulk._parts, bulk._write
    monkeypatch.setattr(bulk, "_parts", lambda *a: read.append(parts(*a)) or read[-1])
    monkeypatch.setattr(bulk, "_write", lambda *a: read.append(a[4]) or write(*a))
    path = csv_file(tmp_path, f"{case}.csv", QUOTED[case]())
    generic, fast = both(tmp_path, path, monkeypatch)
    assert fast == generic and fast["outcome"] == "loaded"
    [first, second] = read[0]
    assert first.piece is None and second.piece is not None  # cut, the second part read from its piece
    if case == "quoted":
        assert read[1:] == [read[0]]  # written from those parts, once
        assert [r[0] for r in fast["stored"]] == list(range(2, 4002))
    else:  # written from them, rolled back, and written again from the whole file in one part
        assert read[1:] == [read[0], [fastcsv.Part(0)]]
        stored = {r[0]: r for r in fast["stored"]}
        assert len(stored) == 4000 and "two\nlines" in stored[3802]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("blank_line", ""),
        ("cp1252", point(5000, test_name="caf\xe9")),
    ],
)
def test_files_found_unsuitable_after_the_read_go_the_generic_way(case, change, tmp_path, monkeypatch):
    """A blank line or a non-UTF-8 byte after the sampled lines: the bulk read is rolled back, nothing of
    it remains, and the generic path loads the file."""
    rows = plain(6000)
    rows[5000] = change
    path = tmp_path / f"{case}.csv"
    path.write_bytes((HEADER + "\n" + "\n".join(rows) + "\n").encode("cp1252"))
    options = LoadOptions(dataset="monitoring", as_of=dt.date(2026, 9, 30))
    generic = _load(tmp_path / "generic.duckdb", path, options, bulk_path=False, monkeypatch=monkeypatch)
    fast = _load(tmp_path / "bulk.duckdb", path, options, bulk_path=True, monkeypatch=monkeypatch)
    assert fast.pop("bulk") is False and generic.pop("bulk")  # tried, then handed over
    assert fast == generic and fast["outcome"] == "loaded"
    kept = sorted(p.name for p in (tmp_path / "bulk.duckdb.files").glob("*")) if fast["files"] else []
    assert kept == [f[0] for f in fast["files"]]  # no copy left behind by the rolled-back attempt


@pytest.mark.slow
def test_thousands_of_bad_lines_are_reported_the_bulk_way(tmp_path, monkeypatch):
    """12,000 lines the typed read rejects (more than it once handed to the generic path): typed the
    generic way on the bulk path, with the same problems at the same rows."""
    from loaders.fastcheck import MAX_REJECTS
    from loaders.messages import LISTED

    rows = plain(15000)
    for i in range(3000, 15000):
        rows[i] = point(i, value=f"n/a {i}")
    path = csv_file(tmp_path, "bad_lines.csv", rows)
    generic, fast = both(tmp_path, path, monkeypatch)
    assert fast == generic
    assert 12000 < MAX_REJECTS and fast["outcome"] == "refused"
    bad = [m for m in fast["messages"] if m[1] == "bad_number"]
    # the first LISTED rows listed one by one, the other 2,000 counted in one message
    assert {m[2] for m in bad} == {*range(3002, 3002 + LISTED), None} and len(bad) == LISTED + 1
    [more] = [m for m in bad if m[2] is None]
    assert more[3] == "value" and more[6].startswith(f"{12000 - LISTED:,} more row(s) with this problem")
    assert fast["imports"][0][8] == 12000  # the import log counts every one


def test_a_sample_the_typed_read_would_mostly_reject_sends_the_file_the_generic_way_at_once(
    tmp_path, monkeypatch
):
    """A column of "85%" throughout: the typed read would reject more lines than it keeps a list of
    (DuckDB holds every rejected line in memory, 2.9 GiB for 2M), so the plan hands the file on before
    any read; the generic path refuses it, naming the rows. A few bad lines in the sample do not."""
    options = LoadOptions(dataset="monitoring", as_of=dt.date(2026, 9, 30))
    monkeypatch.setattr(fastcsv, "MAX_REJECTS", 300)
    percent = csv_file(tmp_path, "percent.csv", [point(i, value=f"{i % 100}%") for i in range(400)])
    dates = csv_file(tmp_path, "dates.csv", edited(400, {i: point(i, timestamp="n/a") for i in range(150)}))
    few = csv_file(tmp_path, "few.csv", edited(400, {i: point(i, value="n/a") for i in range(0, 400, 2)}))
    assert fastcsv.plan(percent, options, min_bytes=0) is None
    assert fastcsv.plan(few, options, min_bytes=0) is not None  # 200 bad lines of 400: under 300
    monkeypatch.setattr(fastcsv, "MAX_REJECTS", 100_000)
    assert fastcsv.plan(percent, options, min_bytes=0) is not None  # 400 lines, all bad: under the list
    monkeypatch.setattr(fastcsv, "MAX_REJECTS", 300)
    taken = _path_taken(monkeypatch, bulk_path=True, entry="load_bulk")
    con = open_store(tmp_path / "store.duckdb", wait=1)
    try:
        result = load_file(con, percent, options, user="tester")
    finally:
        con.close()
    assert taken == [] and result.outcome == "refused"
    assert {m.row for m in result.problems if m.code == "bad_number"} == set(range(2, 402))
    # date-times as numbers: 150 of 400 unread (the format is still the sample's most common one)
    assert fastcsv.plan(dates, options, min_bytes=0) is not None
    monkeypatch.setattr(fastcsv, "MAX_REJECTS", 100)
    assert fastcsv.plan(dates, options, min_bytes=0) is None


@pytest.mark.slow
def test_a_line_longer_than_the_readers_buffer_is_never_dropped(tmp_path, monkeypatch):
    """DuckDB's CSV reader drops a line longer than its buffer (32 MB) without a word: such a file goes
    the generic way, which refuses it naming the line; nothing is stored."""
    rows = plain(6000)
    rows[5000] = point(5000, test_name="x" * (33 << 20))
    path = csv_file(tmp_path, "long_line.csv", rows)
    options = LoadOptions(dataset="monitoring", as_of=dt.date(2026, 9, 30))
    generic = _load(tmp_path / "generic.duckdb", path, options, bulk_path=False, monkeypatch=monkeypatch)
    fast = _load(tmp_path / "bulk.duckdb", path, options, bulk_path=True, monkeypatch=monkeypatch)
    assert fast.pop("bulk") is False and generic.pop("bulk")  # tried, then handed over
    assert fast == generic
    assert fast["outcome"] == "refused" and fast["stored"] == []
    [message] = [m for m in fast["messages"] if m[0] == "problem"]
    assert message[1] == "unreadable_file" and "Line: 5002" in message[6]


def test_the_file_check_sees_a_line_over_a_chunk(tmp_path):
    """A chunk with no line end in it: a line of at least a mebibyte (the bulk path hands the file on)."""
    from store.digest import _CHUNK, Digest

    found = {}
    for name, line in (("long", b"a" * (2 * _CHUNK)), ("short", b"a" * (_CHUNK // 2))):
        path = tmp_path / f"{name}.csv"
        path.write_bytes(b"h\n" + (line + b"\n") * 3)
        digest = Digest(path, tmp_path / "kept", keep=False)
        digest.start()
        found[name] = digest.result().long_lines
    assert found == {"long": True, "short": False}


def _workbook(path: Path, rows: list[list], merge: bool = False) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Monitoring")
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, HEADER.split(","))
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, stamp)
            elif value is not None:
                sheet.write(r, c, value)
    if merge:
        sheet.merge_range(3, 9, 4, 9, "merged note")
    book.close()
    return path


def _points(n: int) -> list[list]:
    rows = []
    for i in range(n):
        cells = point(i).split(",")
        rows.append(
            [dt.datetime.fromisoformat(cells[0]), *cells[1:5], float(cells[5]), 0.1, 0.95, *cells[8:]]
        )
    return rows


@pytest.mark.parametrize("case", ["clean", "dirty", "merged"])
def test_workbooks_the_bulk_way_match_the_exact_reader(case, tmp_path, monkeypatch):
    """A one-sheet workbook typed by fastexcel and inserted the bulk way: the same rows and problems as
    the exact reader (python-calamine) and the generic typing; merged cells send it the generic way."""
    import loaders.workbooks as workbooks

    rows = _points(300)
    if case == "dirty":
        rows[10][1] = "  "  # a blank AI system
        rows[20][5] = None  # no value
        rows[30] = list(rows[29])  # a duplicate key
        rows[40][8] = "maybe"  # an unknown verdict
        rows[50][9] = "'=1+1"  # a formula escape, kept as text
    path = _workbook(tmp_path / f"monitoring_{case}.xlsx", rows, merge=case == "merged")
    options = LoadOptions(dataset="monitoring", as_of=dt.date(2026, 9, 30))
    monkeypatch.setattr(workbooks, "_FAST_BYTES", 1 << 62)  # the generic side reads exactly
    generic = _load(tmp_path / "generic.duckdb", path, options, bulk_path=False, monkeypatch=monkeypatch)
    fast = _load(tmp_path / "bulk.duckdb", path, options, bulk_path=True, monkeypatch=monkeypatch)
    assert generic.pop("bulk")
    assert fast.pop("bulk") is (case != "merged")
    assert fast == generic
    assert fast["outcome"] == ("refused" if case == "dirty" else "loaded")


def test_the_file_check_sees_a_character_left_unfinished_at_a_chunk_end(tmp_path):
    """A byte that starts a UTF-8 character at the end of one chunk, followed by plain ASCII: not UTF-8
    (the file then goes the generic way, which reads it as cp1252)."""
    from store.digest import _CHUNK, Digest

    cut = tmp_path / "cut.csv"
    cut.write_bytes(b"a" * (_CHUNK - 1) + b"\xc3" + b"bc\n")
    whole = tmp_path / "whole.csv"
    whole.write_bytes(b"a" * (_CHUNK - 1) + "é".encode() + b"c\n")
    found = {}
    for path in (cut, whole):
        digest = Digest(path, tmp_path / "kept", keep=False)
        digest.start()
        found[path.name] = digest.result().utf8
    assert found == {"cut.csv": False, "whole.csv": True}


def test_the_copy_waits_for_the_read_and_a_discarded_digest_copies_nothing(tmp_path):
    """The digest hashes and checks at once, but copies only when let (after DuckDB's read) or asked
    for its whole result; a digest discarded first leaves nothing behind."""
    from store.digest import Digest

    path = tmp_path / "points.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 100_000)
    kept = tmp_path / "kept"
    digest = Digest(path, kept, keep=True)
    digest.start()
    assert len(digest.checked().sha256) == 64 and digest.utf8
    assert not kept.exists()  # hashed and checked, not yet copied
    digest.copy_now()
    digest.keep()
    assert [p.name for p in kept.iterdir()] == [digest.sha256]
    assert (kept / digest.sha256).read_bytes() == path.read_bytes()

    other = tmp_path / "other"
    dropped = Digest(path, other, keep=True)
    dropped.start()
    dropped.checked()
    dropped.discard()
    assert not other.exists()


def test_a_piece_that_did_not_reach_its_pipe_whole_is_known(tmp_path):
    """The file cut shorter while a piece is on its way (its feeder waits for the read): the pipe ends
    early and the split says so, so that the load does not take the rows that did arrive for all."""
    path = tmp_path / "points.csv"
    path.write_bytes(b"a,b\n" + b"12345,67890\n" * 700_000)  # 8.4 MB: each piece more than a pipe holds
    split = digest._cut(path, 2)
    try:
        whole = path.read_bytes()
        with path.open("r+b") as fh:
            fh.truncate(len(whole) * 3 // 4)
        received = Path(split.paths[0]).read_bytes()
    finally:
        split.close()
    assert 0 < len(received) < len(whole) // 2 and not split.whole()

    path.write_bytes(whole)
    intact = digest._cut(path, 2)
    try:
        received = Path(intact.paths[0]).read_bytes()
    finally:
        intact.close()
    assert whole.endswith(received) and intact.whole()
