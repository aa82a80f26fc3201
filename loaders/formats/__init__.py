"""Source formats: real exports of monitoring tools, GRC tools and incident catalogues, recognised from
their content (never from their name) and turned into the tables of an existing dataset.

`FORMATS` is the one registry, in the order formats are tried (the most specific first). Each entry is a
`Format` (see `_base`): a `document` format reads a JSON or YAML file itself; a `table` format reads the
sheets the generic reader has already staged. Either hands back `Staged` tables for a dataset, or raises
`Refused` saying what the file is and what is missing. A file no format claims goes the generic way:
its dataset is recognised by its headers (`loaders.pipeline`).

The pipeline calls two hooks: `adapt_document` before reading (JSON / YAML content), and `adapt_tables`
once the sheets are staged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from ..contracts import CONTRACTS
from ..messages import BadOption, Message
from ..validate import Column
from . import (
    aiaaic,
    aiid,
    ciso_assistant,
    evidently,
    evidently_legacy,
    frameworks,
    maturity,
    mlflow,
    nannyml,
    oecd_aim,
    whylogs,
)
from ._base import Document, Format, Refused, Staged, Tables, UnknownFormat

__all__ = ["FORMATS", "Format", "Refused", "Staged", "adapt_document", "adapt_tables", "supported"]

FORMATS: list[Format] = [
    *evidently.FORMATS[:2],  # JSON snapshots
    *evidently_legacy.FORMATS,
    *ciso_assistant.FORMATS,
    *frameworks.FORMATS,
    *maturity.FORMATS,
    *aiid.FORMATS,
    *aiaaic.FORMATS,
    *oecd_aim.FORMATS,
    *evidently.FORMATS[2:],  # CSV flattenings
    *nannyml.FORMATS,
    *mlflow.FORMATS,
    *whylogs.FORMATS,
]

_SNIFF = 64 * 1024


def title_of(name: str) -> str:
    """A format's title, for what the CLI and the app print ('' for the generic path)."""
    return next((f.title for f in FORMATS if f.name == name), "")


def supported() -> str:
    """The formats recognised from their content and the datasets, for messages."""
    formats = "; ".join(f"{f.title} -> {', '.join(f.datasets)}" for f in FORMATS if f.datasets)
    datasets = ", ".join(CONTRACTS)
    return (
        f"formats recognised from their content: {formats}; datasets recognised by their headers: {datasets}"
    )


def adapt_document(con, path: Path, options, plan, prepare_sheet: Callable) -> bool:
    """A JSON or YAML file: staged by the format that recognises it, or refused. False for other files."""
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        head = fh.read(_SNIFF)
    doc = Document(path, head)
    if doc.kind is None:
        return False
    for fmt in FORMATS:
        if fmt.kind == "document" and fmt.recognise(doc):
            _run(con, fmt, doc, options, plan, prepare_sheet)
            return True
    if doc.kind == "json":
        data = doc.data
        if data is None:
            raise UnknownFormat("the file starts like JSON but does not parse as JSON; " + supported())
        shape = (
            "top-level keys: " + ", ".join(list(data)[:10])
            if isinstance(data, dict)
            else f"a list of {len(data)} items"
        )
        raise UnknownFormat(f"a JSON file of no supported shape ({shape}); {supported()}")
    if path.suffix.lower() in (".yaml", ".yml"):
        raise UnknownFormat(f"a YAML file of no supported shape; {supported()}")
    return False


def adapt_tables(con, path: Path, raws: list, options, plan, prepare_sheet: Callable) -> bool:
    """Staged sheets a table format recognises: adapted (or refused). False: the generic path goes on."""
    tables = Tables(con, raws, path)
    for fmt in FORMATS:
        if fmt.kind == "table" and fmt.recognise(tables):
            _run(con, fmt, tables, options, plan, prepare_sheet)
            return True
    return False


def _run(con, fmt: Format, source: Any, options, plan, prepare_sheet: Callable) -> None:
    plan.source_format = fmt.name
    if options.dataset and fmt.datasets and options.dataset not in fmt.datasets:
        raise BadOption(
            f"the file is a {fmt.title}, whose rows go to {', '.join(fmt.datasets)}, not {options.dataset}",
            file=plan.path.name,
        )
    for index, table in enumerate(fmt.stage(source, options)):
        prepared = _prepare(con, table, index, plan.path, options, prepare_sheet)
        prepared.context = dict(table.context)
        plan.sheets.append(prepared)


def _stage(con: duckdb.DuckDBPyConnection, name: str, table: Staged) -> Any:
    import pyarrow as pa  # imported here: loading a plain CSV never needs it

    from ..reading import RawSheet

    width = len(table.fields) + len(table.extras)
    header = [table.sources.get(f, f) for f in table.fields] + list(table.extras)
    rows = [(0, header)] + [
        (row, cells + [table.extras[k][i] for k in table.extras]) for i, (row, cells) in enumerate(table.rows)
    ]
    columns = {"row_no": pa.array([r for r, _ in rows], pa.int32())}
    for j in range(width):
        columns[f"c{j}"] = pa.array([None if c[j] is None else str(c[j]) for _, c in rows], pa.string())
    arrow = pa.table(columns)  # noqa: F841 - scanned by name below
    con.execute(f"create or replace temp table {name} as select * from arrow")
    return RawSheet(name=table.sheet, table=name, width=width, rows=len(rows))


def _prepare(con, table: Staged, index: int, path: Path, options, prepare_sheet: Callable):
    raw = _stage(con, f"fmt{index}", table)
    contract = CONTRACTS[table.dataset]
    used = [j for j, f in enumerate(table.fields) if f in table.sources or any(c[j] for _, c in table.rows)]
    columns = {
        table.fields[j]: Column(index=j, header=table.sources.get(table.fields[j], table.fields[j]))
        for j in used
    }
    header = [table.sources.get(f, f) for f in table.fields]
    prepared = prepare_sheet(con, raw, (None, 0, contract, columns, header), path, options, f"stage{index}")
    if table.as_of and not options.as_of:
        prepared.as_of, prepared.as_of_source = table.as_of
    prepared.value_maps = {**table.value_maps, **prepared.value_maps}
    prepared.messages[:0] = [_located(m, table.sheet) for m in table.messages]
    if prepared.store_table and table.extras and not prepared.problems:
        _add_extras(con, prepared.store_table, raw, len(table.fields), list(table.extras))
    if prepared.store_table and table.dataset == "monitoring" and not prepared.problems:
        prepared.summary = monitoring_summary(con, prepared.store_table)
    return prepared


def _located(message: Message, sheet: str | None) -> Message:
    return message if message.sheet or not sheet else message.model_copy(update={"sheet": sheet})


def _add_extras(con, store: str, raw, offset: int, names: list[str]) -> None:
    """Controls from a scored source: `score` (a number) and `score_scale` beside the derived status."""
    picks = []
    for k, name in enumerate(names):
        cell = f"x.c{offset + k}"
        picks.append(f"try_cast({cell} as double) as {name}" if name == "score" else f"{cell} as {name}")
    con.execute(
        f"create or replace temp table {store}_scored as select s.*, {', '.join(picks)} "
        f"from {store} s left join {raw.table} x on x.row_no = s.row_no"
    )
    con.execute(f"create or replace temp table {store} as select * from {store}_scored")


def monitoring_summary(con, store: str, limit: int = 20) -> list[str]:
    """What a monitoring import holds: points, metrics, our breaches and the tool's verdicts."""
    breach = (
        "(value < lower_threshold or value > upper_threshold)"  # the domain rule: below lower, above upper
    )
    points, metrics, first, last, breaches, failed, disagree = con.execute(
        f"""select count(*), count(distinct metric), min(observed_at), max(observed_at),
                   count(*) filter (where {breach}),
                   count(*) filter (where verdict = 'fail'),
                   count(*) filter (where verdict in ('pass', 'fail')
                                    and (verdict = 'fail') <> coalesce({breach}, false))
            from {store}"""
    ).fetchone()
    lines = [
        f"{points} points of {metrics} metrics, {first} … {last}; breaches (value below its lower or above "
        f"its upper threshold): {breaches}; the tool's verdict fail: {failed}; disagreements: {disagree}"
    ]
    names = [r[0] for r in con.execute(f"select distinct metric from {store} order by 1").fetchall()]
    lines.append("metrics: " + ", ".join(names[:60]) + (" …" if len(names) > 60 else ""))
    found = con.execute(
        f"""select metric, feature, value, lower_threshold, upper_threshold, verdict, observed_at from {store}
            where {breach} or verdict = 'fail' order by observed_at, metric, feature limit {limit + 1}"""
    ).fetchall()
    for metric, feature, value, lower, upper, verdict, at in found[:limit]:
        ours = (lower is not None and value < lower) or (upper is not None and value > upper)
        bound = f"< lower {lower:.6g}" if lower is not None and value < lower else ""
        bound = bound or (f"> upper {upper:.6g}" if upper is not None and value > upper else "within bounds")
        lines.append(
            f"{'breach' if ours else 'no breach'}: {metric}{f' [{feature}]' if feature else ''} = {value:.6g} "
            f"{bound}; tool: {verdict or '-'}; {at}"
        )
    if len(found) > limit:
        total = con.execute(f"select count(*) from {store} where {breach} or verdict = 'fail'").fetchone()[0]
        lines.append(f"… and {total - limit} more")
    return lines
