"""NannyML 0.13 results written with `to_df().to_csv()`: univariate drift (three header rows), realized
and estimated performance (two header rows), and the flat `to_df(multilevel=False)` variant.

The header depth is the number of leading rows whose first cell (the index column) is empty. A point per
chunk and per (column, method) or metric: time = the chunk's `end_date` (else `start_date`); thresholds
as NannyML wrote them (one side or both may be empty: the `chi2` statistic has none, its alert comes
from a p-value NannyML does not write); verdict = `alert` (`True` -> fail, `False` -> pass).

Naming: univariate drift -> metric = the method (`jensen_shannon`, `kolmogorov_smirnov`, `chi2` …),
feature = the column; realized performance -> metric = NannyML's key (`roc_auc`, `f1`); estimated
performance -> `estimated_<key>` (so an estimate never overwrites a realized value).

Reference period: chunks with `period = reference` are the baseline NannyML drew its thresholds from,
not monitored production; they are skipped (their number is reported) and only `analysis` chunks load.
Sampling errors, confidence boundaries and CBPE's `realized` column are not loaded.
"""

from __future__ import annotations

from ._base import Format, Refused, Sheet, Staged, Tables, cell_number
from ._points import Point, resolve, staged

TITLE = "NannyML results CSV (to_df().to_csv())"
FLAT_TITLE = "NannyML flat results CSV (to_df(multilevel=False))"

FIELDS = (
    "upper_confidence_boundary",
    "lower_confidence_boundary",
    "sampling_error",
    "upper_threshold",
    "lower_threshold",
    "realized",
    "value",
    "alert",
)
METHODS = (
    "kolmogorov_smirnov",
    "jensen_shannon",
    "chi2",
    "wasserstein",
    "hellinger",
    "l_infinity",
)
CHUNK = ("key", "chunk_index", "start_index", "end_index", "start_date", "end_date", "period")
_ALERT = {"True": "fail", "False": "pass"}


def _depth(sheet: Sheet) -> int:
    depth = 0
    for _, cells in sheet.head[:4]:
        if cells and cells[0] is None and any(cells[1:]):
            depth += 1
        else:
            break
    return depth


def _multi_sheet(tables: Tables) -> Sheet | None:
    for sheet in tables.sheets:
        depth = _depth(sheet)
        if depth in (2, 3):
            top, bottom = sheet.head[0][1], sheet.head[depth - 1][1]
            if "chunk" in top and {"value", "alert"} <= set(bottom) and "period" in bottom:
                return sheet
    return None


def _flat_sheet(tables: Tables) -> Sheet | None:
    for sheet in tables.sheets:
        if (
            sheet.head
            and {"chunk_key", "chunk_period"} <= set(sheet.head[0][1])
            and any((c or "").endswith("_alert") for c in sheet.head[0][1])
        ):
            return sheet
    return None


def _split_flat(name: str) -> tuple[str, str | None, str] | None:
    """(column or metric, method or None, field) of a flat name; None for chunk columns."""
    if name.startswith("chunk_"):
        return None
    for f in FIELDS:
        if name.endswith("_" + f):
            rest = name[: -len(f) - 1]
            for method in METHODS:
                if rest.endswith("_" + method):
                    return rest[: -len(method) - 1], method, f
            return rest, None, f
    return None


class _Layout:
    """Where chunk fields and each (group, field) sit."""

    def __init__(self):
        self.chunk: dict[str, int] = {}
        self.groups: dict[tuple[str, str | None], dict[str, int]] = {}

    @property
    def kind(self) -> str:
        if any(method for _, method in self.groups):
            return "univariate"
        fields = {f for g in self.groups.values() for f in g}
        return "estimated" if {"realized", "upper_confidence_boundary"} & fields else "realized"


def _multi_layout(sheet: Sheet, depth: int) -> _Layout:
    levels = [sheet.head[k][1] for k in range(depth)]
    layout = _Layout()
    for j in range(1, max(len(x) for x in levels)):
        parts = [lvl[j] if j < len(lvl) else None for lvl in levels]
        if parts[0] == "chunk":
            layout.chunk[parts[-1]] = j
        elif all(parts):
            group = (parts[0], parts[1]) if depth == 3 else (parts[0], None)
            layout.groups.setdefault(group, {})[parts[-1]] = j
    return layout


def _flat_layout(sheet: Sheet) -> _Layout:
    layout = _Layout()
    for j, name in enumerate(sheet.head[0][1]):
        if not name:
            continue
        if name.startswith("chunk_"):
            layout.chunk[name[len("chunk_") :]] = j
        elif parsed := _split_flat(name):
            group, method, f = parsed
            layout.groups.setdefault((group, method), {})[f] = j
    return layout


def _stage(tables: Tables, options, sheet: Sheet, layout: _Layout, header_rows: int, title: str):
    ctx = resolve(tables.path, options, title, needs_time=False)
    kind = layout.kind
    points, skipped, periods = [], 0, {}
    for row_no, cells in sheet.rows[header_rows:]:

        def cell(j, cells=cells):
            return cells[j] if j is not None and j < len(cells) else None

        period = (cell(layout.chunk.get("period")) or "").lower()
        periods[period or "-"] = periods.get(period or "-", 0) + 1
        if period == "reference":
            skipped += 1
            continue
        at = cell(layout.chunk.get("end_date")) or cell(layout.chunk.get("start_date"))
        for (group, method), where in layout.groups.items():
            value = cell_number(cell(where.get("value")))
            if value is None:
                continue
            alert = cell(where.get("alert"))
            if kind == "univariate":
                metric, feature, test = method or group, group, f"univariate drift alert ({method})"
            elif kind == "estimated":
                metric, feature, test = f"estimated_{group}", None, "estimated performance alert"
            else:
                metric, feature, test = group, None, "realized performance alert"
            points.append(
                Point(
                    row=row_no,
                    metric=metric,
                    value=value,
                    feature=feature,
                    observed_at=at,
                    lower=cell_number(cell(where.get("lower_threshold"))),
                    upper=cell_number(cell(where.get("upper_threshold"))),
                    verdict=_ALERT.get(alert, alert) if alert else None,
                    test_name=test,
                )
            )
    if not points:
        raise Refused(
            f"a {title} ({kind} results) with no analysis chunk to load: {skipped} reference chunks only "
            "(the baseline NannyML derives its thresholds from)"
        )
    groups = sorted({g if m is None else f"{g} ({m})" for g, m in layout.groups})
    return [
        staged(
            points,
            ctx,
            {
                "observed_at": "chunk end_date",
                "metric": "method (univariate drift) / metric key (performance; estimated_ for estimates)",
                "feature": "column (univariate drift)",
                "value": "value",
                "lower_threshold": "lower_threshold",
                "upper_threshold": "upper_threshold",
                "verdict": "alert",
                "test_name": "the calculator",
            },
            value_maps={
                "alert": {"True": "fail", "False": "pass"},
                "period": {"analysis": "loaded", "reference": "skipped (baseline)"},
            },
            notes={
                "results": f"{kind} ({len(groups)} series: {', '.join(groups[:8])}{' …' if len(groups) > 8 else ''})",
                "chunks": ", ".join(f"{k} {v}" for k, v in sorted(periods.items()))
                + f"; {skipped} reference chunks skipped",
            },
        )
    ]


def stage_multi(tables: Tables, options) -> list[Staged]:
    sheet = _multi_sheet(tables)
    depth = _depth(sheet)
    return _stage(tables, options, sheet, _multi_layout(sheet, depth), depth, TITLE)


def stage_flat(tables: Tables, options) -> list[Staged]:
    sheet = _flat_sheet(tables)
    return _stage(tables, options, sheet, _flat_layout(sheet), 1, FLAT_TITLE)


FORMATS = [
    Format(
        name="nannyml-results",
        title=TITLE,
        kind="table",
        datasets=("monitoring",),
        recognise=lambda tables: _multi_sheet(tables) is not None,
        stage=stage_multi,
    ),
    Format(
        name="nannyml-results-flat",
        title=FLAT_TITLE,
        kind="table",
        datasets=("monitoring",),
        recognise=lambda tables: _flat_sheet(tables) is not None,
        stage=stage_flat,
    ),
]
