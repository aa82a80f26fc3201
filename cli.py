"""`aims`: load files, list and remove imports, show the store's status (and more as the product grows).

Every subcommand takes `--db PATH` (default: `$AIMS_DB`, else `data/aims.duckdb`). Exit codes: 0 done,
1 a file had problems or a command failed, 2 bad usage, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

# The database engine, the contracts and the loaders are imported by the commands that use them: `aims load`
# starts hashing a large file first, so that the other core does it while they load.

ROOT = Path(__file__).resolve().parent
DEMO_DIR = ROOT / "data" / "demo"


SHOWN_MESSAGES = 200  # of one file by `aims load`; the import log keeps every one


def _table(rows: list[dict], columns: Sequence[str]) -> str:
    if not rows:
        return "  (none)"
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    line = lambda vals: "  " + "  ".join(v.ljust(w) for v, w in zip(vals, widths, strict=True))  # noqa: E731
    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; expected YYYY-MM-DD") from None


def _print_result(result, verbose_plan: bool) -> None:
    from loaders.formats import title_of

    print(f"{result.file}: {result.outcome}")
    plan = result.plan
    if plan and plan.source_format != "table":
        title = title_of(plan.source_format)
        print(f"  source format: {plan.source_format}" + (f" ({title})" if title else ""))
    for sheet in plan.sheets if plan else []:
        ref = next((r for r in result.imports if r.sheet == sheet.sheet and r.dataset == sheet.dataset), None)
        ident = f"import {ref.import_id}, " if ref else ""
        print(
            f"  {ident}dataset {sheet.dataset}, sheet {sheet.sheet or '-'}, header row {sheet.header_row or '-'}, "
            f"as of {sheet.as_of} ({sheet.as_of_source}), scope {sheet.scope}, rows {sheet.rows}"
        )
        context = sheet.context
        if verbose_plan:
            for key, value in context.items():
                print(f"  {key}: {value}")
            print("  columns (file -> field):")
            for header, name in sheet.mapping.items():
                print(f"    {header!r} -> {name}")
            for name, values in sheet.value_maps.items():
                if not values and context:
                    continue
                shown = ", ".join(f"{k!r} -> {v}" for k, v in sorted(values.items()))
                print(f"  values of {name}: {shown}")
        for line in sheet.summary:
            print(f"  {line}")
    if result.messages:
        # file-level messages first, then in the order of the file, so a user can walk down it
        ordered = sorted(result.messages, key=lambda m: (m.row is not None, m.sheet or "", m.row or 0))
        rows = [
            {
                "severity": m.severity,
                "code": m.code,
                "sheet": m.sheet,
                "row": m.row,
                "column": m.column,
                "value": m.value,
                "expected": "; ".join(t for t in (m.expected, m.text) if t),
            }
            for m in ordered[:SHOWN_MESSAGES]
        ]
        print(_table(rows, ["severity", "code", "sheet", "row", "column", "value", "expected"]))
        if len(ordered) > SHOWN_MESSAGES:
            from loaders.messages import counted

            print(
                f"  ... and {len(ordered) - SHOWN_MESSAGES:,} more: {counted(ordered, 'problem'):,} problem(s) "
                f"and {counted(ordered, 'warning'):,} warning(s) in all"
                + ("" if result.outcome == "checked" else "; `aims imports --messages ID` lists them")
            )


def _early_digest(args):
    """A digest (`store.digest`) of the first file, started now when the file is large: it hashes and
    copies the file on the other core while the program loads; `load_file` hands it to the bulk path.
    Where the system forks, the digest runs in a process of its own (`store.forked`), forked before
    anything heavy is loaded."""
    from store import forked
    from store.paths import db_path, files_dir_of

    first = Path(args.files[0])
    if args.dry_run or not first.is_file() or first.stat().st_size < forked.EARLY_MIN_BYTES:
        return None
    # a CSV file is cut for reading in parts, as many as DuckDB has threads (by default, the cores)
    pieces = (os.cpu_count() or 1) if first.suffix.lower() in (".csv", ".tsv", ".txt") else 1
    folder = files_dir_of(db_path(args.db))
    if forked.available():
        digest = forked.ForkedDigest(first, folder, pieces=pieces)
        try:
            digest.start()
            return digest
        except OSError:  # no process to spare: a thread does it
            pass
    from store.digest import Digest

    digest = Digest(first, folder, pieces=pieces)
    digest.start()
    return digest


def _datasets() -> list[str]:
    from loaders import datasets  # noqa: F401  (registers every contract)
    from loaders.contracts import CONTRACTS

    return sorted(CONTRACTS)


@contextlib.contextmanager
def _collector_off():
    """The garbage collector off while the loaders' modules load: they make objects by the hundred
    thousand and none of them garbage, which the collector would walk over again and again (0.03 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def cmd_load(args) -> int:
    early = _early_digest(args)
    with _collector_off():
        from loaders import datasets, pipeline  # noqa: F401
        from store import writer  # noqa: F401
    try:
        if args.dataset is not None and args.dataset not in (names := _datasets()):
            choices = ", ".join(repr(n) for n in names)  # as argparse says it
            args.parser.error(f"argument --dataset: invalid choice: {args.dataset!r} (choose from {choices})")
        return _load(args, early)
    finally:
        if early is not None:
            early.discard()  # nothing when the bulk path kept its copy


def _load(args, early) -> int:
    from loaders.pipeline import LoadOptions
    from store.writer import load_file, open_store

    options = LoadOptions(
        dataset=args.dataset,
        as_of=args.as_of,
        scope=args.scope,
        dayfirst=args.dayfirst,
        sheet=args.sheet,
        system=args.system,
        model_version=args.model_version,
    )
    failed = False
    con = None if args.dry_run else open_store(args.db, wait=args.wait)
    try:
        if con is not None:
            from store.db import limit_memory

            limit_memory(con)  # this process only loads: a file too large for memory spills to disk
        for i, name in enumerate(args.files):
            result = load_file(con, Path(name), options, dry_run=args.dry_run, digest=None if i else early)
            _print_result(result, verbose_plan=args.dry_run)
            failed |= bool(result.problems) or result.outcome == "refused"
    finally:
        if con is not None:
            con.close()
    return 1 if failed else 0


def cmd_imports(args) -> int:
    from store import db
    from store.writer import open_store

    with open_store(args.db, wait=args.wait) as con:
        if args.messages is not None:
            rows = db.rows(
                con,
                """select severity, code, sheet, row_no as row, column_name as column, value,
                          concat_ws('; ', nullif(expected, ''), nullif(message, '')) as expected
                   from import_messages where import_id = $id
                   order by row_no is not null, sheet nulls first, row_no, severity, code""",
                id=args.messages,
            )
            print(_table(rows, ["severity", "code", "sheet", "row", "column", "value", "expected"]))
            return 0
        rows = db.rows(
            con,
            """select import_id as id, dataset, file_name as file, sheet, as_of, scope, rows,
                                      problems, warnings, outcome, superseded_by, loaded_at, loaded_by as "user",
                                      left(sha256, 12) as sha256
                               from imports order by import_id""",
        )
    print(
        _table(
            rows,
            [
                "id",
                "dataset",
                "file",
                "sheet",
                "as_of",
                "scope",
                "rows",
                "problems",
                "warnings",
                "outcome",
                "superseded_by",
                "loaded_at",
                "user",
                "sha256",
            ],
        )
    )
    return 0


def cmd_remove(args) -> int:
    from store.writer import RemoveError, open_store, remove_import

    with open_store(args.db, wait=args.wait) as con:
        try:
            done = remove_import(con, args.import_id)
        except RemoveError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(f"removed import {done['import_id']} ({done['dataset']}): {done['rows_removed']} rows")
    return 0


def cmd_status(args) -> int:
    from store import db
    from store.schema import SCHEMA_VERSION
    from store.writer import open_store

    with open_store(args.db, wait=args.wait) as con:
        version = db.scalar(con, "select value from meta where key = 'schema_version'")
        data_version = db.scalar(con, "select value from meta where key = 'data_version'")
        rows = db.rows(
            con,
            """select dataset, count(*) as imports, sum(rows) as rows, max(as_of) as latest_as_of
                               from imports where outcome = 'loaded' group by dataset order by dataset""",
        )
    print(f"database: {db.db_path(args.db)}")
    print(f"schema version: {version} (this program: {SCHEMA_VERSION}); data version: {data_version}")
    print(_table(rows, ["dataset", "imports", "rows", "latest_as_of"]))
    return 0


def cmd_demo(args) -> int:
    from loaders.messages import counted
    from loaders.pipeline import LoadOptions
    from store import db
    from store.writer import load_file, open_store

    files = sorted(p for p in DEMO_DIR.glob("*") if p.suffix.lower() in {".csv", ".xlsx"})
    with open_store(args.db, wait=args.wait) as con:
        if args.if_empty and db.scalar(con, "select count(*) from imports where outcome = 'loaded'"):
            print("the database already has data; demo not loaded")
            return 0
        failed = False
        for path in files:
            result = load_file(con, path, LoadOptions(), user="demo")
            print(
                f"{path.name}: {result.outcome}, "
                f"{sum(r.rows for r in result.imports)} rows, {counted(result.problems, 'problem')} problems"
            )
            failed |= result.outcome == "refused"
    return 1 if failed else 0


def cmd_settings(args) -> int:
    import json

    from metrics.settings import DEFAULTS, parse_setting, settings_at, settings_history
    from store.writer import open_store, set_setting

    with open_store(args.db, wait=args.wait) as con:
        if args.action == "set":
            try:
                value = parse_setting(args.key, args.value)
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            set_setting(con, args.key, value, note=args.note, valid_from=args.valid_from)
            print(f"{args.key} = {json.dumps(value)} (from {args.valid_from or 'now'})")
            return 0
        if args.action == "history":
            history = settings_history(con)
            print(_table(history.to_dict("records"), ["key", "value", "valid_from", "set_by", "note"]))
            return 0
        current = settings_at(con, as_of=args.as_of or dt.date.today())
    rows = [
        {
            "key": key,
            "value": json.dumps(value),
            "default": json.dumps(getattr(DEFAULTS, key)),
            "meaning": field.description,
        }
        for key, field in type(current).model_fields.items()
        for value in [getattr(current, key)]
    ]
    print(_table(rows, ["key", "value", "default", "meaning"]))
    return 0


def cmd_summary(args) -> int:
    import json

    from metrics.periods import latest_quarter, parse_quarter
    from metrics.summary import quarter_summary
    from store.writer import open_store

    with open_store(args.db, wait=args.wait) as con:
        try:
            quarter = parse_quarter(args.quarter) if args.quarter else latest_quarter(con)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if quarter is None:
            print(
                "error: the database has no data yet; load files first (aims load, aims demo)",
                file=sys.stderr,
            )
            return 1
        summary = quarter_summary(
            con,
            quarter=str(quarter),
            scope=args.scope,
            system=args.system,
            unit=args.unit,
            with_review=not args.no_review,
        )
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
        return 0
    from metrics.summary import headline_keys

    for key, value in headline_keys(summary).items():
        shown = f"{value:.1%}" if isinstance(value, float) and ("rate" in key or "score" in key) else value
        print(f"{key:<45} {shown}")
    return 0


def cmd_export(args) -> int:
    from exports import build_pack
    from metrics.periods import parse_quarter
    from store.writer import open_store

    try:
        quarter = parse_quarter(args.quarter)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with open_store(args.db, wait=args.wait) as con:
        data = build_pack(con, quarter=str(quarter), scope=args.scope, system=args.system, unit=args.unit)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"{out}: quarterly pack {quarter} ({len(data):,} bytes)")
    return 0


def cmd_templates(args) -> int:
    from exports import write_templates

    for path in write_templates(Path(args.out)):
        print(path)
    return 0


def build_parser(*, dataset_choices: bool = True) -> argparse.ArgumentParser:
    """The command line; without `dataset_choices`, `load --dataset` is checked by `cmd_load` (so that
    the contracts load after a large file has begun hashing)."""
    parser = argparse.ArgumentParser(prog="aims", description="AIMS Performance Dashboard: data and figures")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="database file (default: $AIMS_DB, else data/aims.duckdb)")
    common.add_argument("--wait", type=float, default=15.0, help="seconds to wait for a database in use")
    sub = parser.add_subparsers(dest="command", required=True)

    load = sub.add_parser("load", parents=[common], help="check and load files (one transaction per file)")
    load.add_argument("files", nargs="+")
    load.add_argument(
        "--dataset",
        choices=_datasets() if dataset_choices else None,
        help="the dataset, when it cannot be recognised",
    )
    load.add_argument("--as-of", type=_date, help="the date the data describes (YYYY-MM-DD)")
    load.add_argument(
        "--scope", default="organisation", help="organisation (default), a business unit or AI system"
    )
    load.add_argument("--sheet", help="load only this sheet of a workbook")
    load.add_argument(
        "--system", help="the AI system a monitoring export is about, when the file does not say"
    )
    load.add_argument(
        "--model-version", help="the model version of a monitoring export, when the file does not say"
    )
    order = load.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        dest="dayfirst",
        action="store_true",
        default=None,
        help="read ambiguous dates as day-first",
    )
    order.add_argument("--monthfirst", dest="dayfirst", action="store_false", help="read them as month-first")
    load.add_argument(
        "--dry-run", action="store_true", help="show how each file is understood; write nothing"
    )
    load.set_defaults(func=cmd_load, parser=load)

    imports = sub.add_parser("imports", parents=[common], help="the import log")
    imports.add_argument("--messages", type=int, metavar="ID", help="every problem and warning of one import")
    imports.set_defaults(func=cmd_imports)
    remove = sub.add_parser("remove", parents=[common], help="remove one import and restore what it replaced")
    remove.add_argument("import_id", type=int)
    remove.set_defaults(func=cmd_remove)
    sub.add_parser("status", parents=[common], help="what the database holds").set_defaults(func=cmd_status)
    summary = sub.add_parser("summary", parents=[common], help="headline figures and the review summary")
    summary.add_argument("--quarter", help="e.g. 2026-Q3 (default: the latest with data)")
    summary.add_argument("--scope", default="organisation")
    summary.add_argument("--system", help="an AI system (name or id)")
    summary.add_argument("--unit", help="a business unit")
    summary.add_argument(
        "--json", action="store_true", help="print JSON (a stable interface, see METRICS.md)"
    )
    summary.add_argument("--no-review", action="store_true", help="leave the 9.3.2 review summary out")
    summary.set_defaults(func=cmd_summary)
    settings = sub.add_parser("settings", parents=[common], help="show, set or list the history of settings")
    settings.add_argument("action", nargs="?", choices=["show", "set", "history"], default="show")
    settings.add_argument("key", nargs="?")
    settings.add_argument("value", nargs="?", help="a number, or JSON for bands and links")
    settings.add_argument("--as-of", type=_date, help="show the settings in force on this date")
    settings.add_argument(
        "--from", dest="valid_from", type=_date, help="set: in force from this date (default now)"
    )
    settings.add_argument("--note", help="set: why it changed")
    settings.set_defaults(func=cmd_settings)
    demo = sub.add_parser("demo", parents=[common], help="load the bundled demo organisation")
    demo.add_argument("--if-empty", action="store_true", help="only when the database has no data yet")
    demo.set_defaults(func=cmd_demo)
    export = sub.add_parser("export", parents=[common], help="write the quarterly pack (an Excel workbook)")
    export.add_argument("--quarter", required=True, help="e.g. 2026-Q3")
    export.add_argument("--out", required=True, help="the .xlsx file to write")
    export.add_argument(
        "--scope", default="organisation", help="organisation (default), a business unit or AI system"
    )
    export.add_argument("--system", help="only this AI system's risks, incidents, monitoring and objectives")
    export.add_argument(
        "--unit", help="only this business unit's risks, incidents, monitoring and objectives"
    )
    export.set_defaults(func=cmd_export)
    templates = sub.add_parser("templates", help="write a blank workbook to fill in for every dataset")
    templates.add_argument("--out", required=True, help="the folder to write into (created if missing)")
    templates.set_defaults(func=cmd_templates)
    return parser


def run() -> None:
    """The `aims` command: `main`, then, its output flushed, the process ends at once, without the
    interpreter's teardown (the garbage collector's last walk over every object, each module's release:
    0.05 s after a large load): the process gives all its memory back in one go. Every command has
    closed what it wrote by then, and a database connection left open would lose nothing (DuckDB's log
    of committed changes is on disk). An exception, `--help` or a usage error ends the usual way.

    No command does linear algebra, so NumPy's BLAS gets no thread pool: its threads spin for work on
    every core for a while after NumPy loads (0.1 s of CPU taken from the start of `aims load`)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # piped into `head` and the like, or closed since (`main`)
            pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # the choices of --dataset are only worth loading the contracts for when help is asked for
    args = build_parser(dataset_choices=any(a in ("-h", "--help") for a in argv)).parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # Ctrl-C: what a command had begun to write is rolled back
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        return _failed(args, exc)


def _failed(args, exc: Exception) -> int:
    """Exit status 1 and one line for what a user can act on; anything else is raised."""
    import duckdb

    from store.db import db_path

    if isinstance(exc, RuntimeError):  # the database is busy, or made by a newer version of the program
        print(f"error: {exc}", file=sys.stderr)
    elif isinstance(exc, duckdb.IOException):  # e.g. the --db path is a folder or not a database file
        print(f"error: database {db_path(args.db)}: {exc}", file=sys.stderr)
    else:
        raise exc
    return 1


if __name__ == "__main__":
    run()
