"""Evidently 0.4 (the legacy API, `evidently.legacy` in 0.7): `Report.as_dict()` / `json()` and the CSVs
written from `as_dataframe()`.

Metric naming: `<MetricClass>.<result key>` (`DatasetDriftMetric.share_of_drifted_columns`,
`ClassificationQualityMetric.accuracy`); per column drift is `DataDriftTable.drift_score` with the column
as feature; per class values carry the segment `label=<class>`, confusion-matrix cells
`actual=<a> / predicted=<p>`. Values computed on the reference data keep the segment `reference`
(they have no threshold, so they never breach). Thresholds: a column's drift score is bounded by its
`stattest_threshold`, below for p-value tests (`K-S p_value`, `Z-test p_value` …), above for distances;
the drifted-columns share by `drift_share` (above). Verdicts: `drift_detected` / `dataset_drift`
True -> fail, False -> pass. Plots, distributions and tables of lists are not loaded.
"""

from __future__ import annotations

from typing import Any

from ._base import Document, Format, Refused, Sheet, Staged, Tables, cell_number, file_message
from ._points import Point, is_p_value, resolve, staged

TITLE = "Evidently 0.4 report JSON (as_dict() / json())"
FRAME_TITLE = "Evidently 0.4 as_dataframe() CSV"

_SKIP = {
    "small_distribution",
    "distribution",
    "plot_data",
    "rate_plots_data",
    "roc_curve",
    "pr_curve",
    "pr_table",
    "columns",
    "current_distribution",
    "reference_distribution",
}
_DATASET_LEVEL = ("number_of_columns", "number_of_drifted_columns", "share_of_drifted_columns")
_VERDICT = {"True": "fail", "False": "pass"}


def _num(value: Any) -> float | None:
    return None if isinstance(value, bool) else cell_number(value) if isinstance(value, int | float) else None


def _verdict(flag: Any) -> str | None:
    if isinstance(flag, bool):
        return "fail" if flag else "pass"
    return _VERDICT.get(str(flag).strip().capitalize()) if flag not in (None, "") else None


class _Collect:
    def __init__(self):
        self.points: list[Point] = []
        self.methods: dict[str, str] = {}
        self.skipped: list[str] = []

    def drift_column(self, row, metric, column, score, method, threshold, detected, segment=None):
        point = Point(row=row, metric=metric, value=score, feature=column)
        if threshold is not None and method:
            if is_p_value(method):
                point.lower = threshold
                self.methods[method] = "p-value: drift below stattest_threshold (lower_threshold)"
            else:
                point.upper = threshold
                self.methods[method] = "distance: drift above stattest_threshold (upper_threshold)"
        point.verdict = _verdict(detected)
        point.test_name = f"{method} drift test" if method else None
        if segment:
            point.feature = f"{column} / {segment}" if column else segment
        self.points.append(point)

    def dataset_level(self, row, name, result):
        for key in _DATASET_LEVEL:
            if (value := _num(result.get(key))) is None:
                continue
            point = Point(row=row, metric=f"{name}.{key}", value=value)
            if key == "share_of_drifted_columns":
                point.upper = _num(result.get("drift_share"))
                point.verdict = _verdict(result.get("dataset_drift"))
                point.test_name = "dataset drift (share of drifted columns >= drift_share)"
            self.points.append(point)


def _walk(prefix: str, node: Any, depth: int = 0):
    """(key path, number) of the scalar leaves of a result, plots and lists left out."""
    if depth > 3:
        return
    for key, value in node.items() if isinstance(node, dict) else []:
        if key in _SKIP or isinstance(value, list):
            continue
        if isinstance(value, dict):
            yield from _walk(f"{prefix}.{key}", value, depth + 1)
        elif (number := _num(value)) is not None:
            yield f"{prefix}.{key}", number


def _metric_points(c: _Collect, row: int, name: str, result: dict) -> None:
    if name in ("DatasetDriftMetric", "DataDriftTable"):
        c.dataset_level(row, name, result)
        for column, d in (result.get("drift_by_columns") or {}).items():
            if (score := _num(d.get("drift_score"))) is not None:
                c.drift_column(
                    row,
                    f"{name}.drift_score",
                    d.get("column_name") or column,
                    score,
                    d.get("stattest_name"),
                    _num(d.get("stattest_threshold")),
                    d.get("drift_detected"),
                )
        return
    if name == "ColumnDriftMetric":
        if (score := _num(result.get("drift_score"))) is not None:
            c.drift_column(
                row,
                f"{name}.drift_score",
                result.get("column_name"),
                score,
                result.get("stattest_name"),
                _num(result.get("stattest_threshold")),
                result.get("drift_detected"),
            )
        return
    found = False
    for side in ("current", "reference"):
        part = result.get(side)
        if not isinstance(part, dict):
            continue
        segment = "reference" if side == "reference" else None
        if name == "ClassificationQualityByClass" and isinstance(part.get("metrics"), dict):
            labels = list(part["metrics"])
            for label, values in part["metrics"].items():
                for key, value in (values or {}).items():
                    if (number := _num(value)) is not None:
                        c.points.append(Point(row, f"{name}.{key}", number, _seg(f"label={label}", segment)))
                        found = True
            aucs = part.get("roc_aucs")
            if isinstance(aucs, list) and len(aucs) == len(labels):
                for label, value in zip(labels, aucs, strict=True):
                    if (number := _num(value)) is not None:
                        c.points.append(
                            Point(row, f"{name}.roc_auc", number, _seg(f"label={label}", segment))
                        )
            continue
        for path, number in _walk("", part):
            c.points.append(Point(row, f"{name}{path}", number, segment))
            found = True
    if name == "ClassificationConfusionMatrix":
        for side in ("current", "reference"):
            matrix = result.get(f"{side}_matrix") or {}
            labels, values = matrix.get("labels") or [], matrix.get("values") or []
            for a, line in zip(labels, values, strict=False):
                for p, cell in zip(labels, line, strict=False):
                    if (number := _num(cell)) is not None:
                        feature = _seg(
                            f"actual={a} / predicted={p}", "reference" if side == "reference" else None
                        )
                        c.points.append(Point(row, f"{name}.count", number, feature))
                        found = True
    if not found:
        for path, number in _walk("", {k: v for k, v in result.items() if k not in ("current", "reference")}):
            c.points.append(Point(row, f"{name}{path}", number))
            found = True
    if not found:
        c.skipped.append(name)


def _seg(feature: str | None, segment: str | None) -> str | None:
    return " / ".join(x for x in (feature, segment) if x) or None


def _is_report(doc: Document) -> bool:
    data = doc.data
    return (
        isinstance(data, dict)
        and isinstance(data.get("metrics"), list)
        and bool(data["metrics"])
        and all(isinstance(m, dict) and "metric" in m and "result" in m for m in data["metrics"][:5])
    )


def stage_report(doc: Document, options) -> list[Staged]:
    data = doc.data
    ctx = resolve(
        doc.path,
        options,
        TITLE,
        time=data.get("timestamp"),
        time_from="timestamp in the file",
    )
    c = _Collect()
    shares = [m["result"]["drift_share"] for m in data["metrics"] if "drift_share" in (m.get("result") or {})]
    for row, m in enumerate(data["metrics"], start=1):
        result = m.get("result") or {}
        if shares and "dataset_drift" in result and "drift_share" not in result:
            result = {**result, "drift_share": shares[0]}  # the report's dataset-drift rule, said once
        _metric_points(c, row, str(m.get("metric")), result)
    out = staged(
        c.points,
        ctx,
        _sources("metrics[].result"),
        value_maps=_maps(c),
        notes={"rows": "position in the metrics list", "read": f"{len(data['metrics'])} metrics"}
        | ({"version": f"Evidently {data['version']}"} if data.get("version") else {}),
    )
    if c.skipped:
        out.messages.append(
            file_message("values_skipped", doc.path.name, "no number to load in: " + ", ".join(c.skipped))
        )
    return [out]


def _sources(where: str) -> dict[str, str]:
    return {
        "metric": "<metric class>.<result key>",
        "feature": "column_name; label=<class>; reference for reference-data values",
        "value": where,
        "lower_threshold": "stattest_threshold of p-value tests",
        "upper_threshold": "stattest_threshold of distances; drift_share",
        "verdict": "drift_detected / dataset_drift",
        "test_name": "stattest_name",
    }


def _maps(c: _Collect) -> dict[str, dict[str, str]]:
    maps = {"drift_detected / dataset_drift": {"True": "fail", "False": "pass"}}
    if c.methods:
        maps["drift method"] = c.methods
    return maps


REPORT = Format(
    name="evidently-0.4-report",
    title=TITLE,
    kind="document",
    datasets=("monitoring",),
    recognise=_is_report,
    stage=stage_report,
)


# --- as_dataframe() CSVs -----------------------------------------------------------------------------------

_FRAME = {"metricid", "metricfingerprint"}
_NOT_VALUES = {
    "metricid",
    "metricfingerprint",
    "type",
    "columnname",
    "columntype",
    "stattestname",
    "stattestthreshold",
    "driftdetected",
    "datasetdrift",
    "driftshare",
    "targetname",
}


def _frame_sheet(tables: Tables) -> Sheet | None:
    return next((s for s in tables.sheets if s.header_at(_FRAME, within=2)), None)


def stage_frame(tables: Tables, options) -> list[Staged]:
    sheet = _frame_sheet(tables)
    header_row, keys = sheet.header_at(_FRAME, within=2)
    headers = next(cells for r, cells in sheet.head if r == header_row)
    col = {k: j for j, k in enumerate(keys) if k}
    ctx = resolve(tables.path, options, FRAME_TITLE)
    c = _Collect()
    lists = set()
    for row_no, cells in sheet.rows:
        if row_no <= header_row:
            continue

        def cell(key, cells=cells):
            j = col.get(key)
            return cells[j] if j is not None and j < len(cells) else None

        name = cell("metricid") or "metric"
        if cell("driftscore") is not None and cell("columnname") is not None:
            c.drift_column(
                row_no,
                f"{name}.drift_score",
                cell("columnname"),
                cell_number(cell("driftscore")),
                cell("stattestname"),
                cell_number(cell("stattestthreshold")),
                cell("driftdetected"),
            )
            continue
        if cell("shareofdriftedcolumns") is not None:
            c.dataset_level(
                row_no,
                name,
                {
                    "number_of_columns": cell_number(cell("numberofcolumns")),
                    "number_of_drifted_columns": cell_number(cell("numberofdriftedcolumns")),
                    "share_of_drifted_columns": cell_number(cell("shareofdriftedcolumns")),
                    "drift_share": cell_number(cell("driftshare")),
                    "dataset_drift": cell("datasetdrift"),
                },
            )
            continue
        for j, key in enumerate(keys):
            if not key or key in _NOT_VALUES or j >= len(cells) or cells[j] is None:
                continue
            number = cell_number(cells[j])
            if number is None:
                if cells[j].startswith("["):
                    lists.add(headers[j])
                continue
            header = headers[j]
            segment = None
            for side in ("current_", "reference_"):
                if header.startswith(side):
                    header, segment = header[len(side) :], ("reference" if side == "reference_" else None)
            c.points.append(Point(row_no, f"{name}.{header}", number, segment))
    if not c.points:
        raise Refused(f"an {FRAME_TITLE} without any numeric value")
    out = staged(
        c.points,
        ctx,
        _sources("the row's numeric columns (current_/reference_ prefixes)"),
        value_maps=_maps(c),
    )
    if lists:
        out.context["not loaded"] = f"{len(lists)} list-valued plot columns (e.g. {sorted(lists)[0]})"
    return [out]


FRAME = Format(
    name="evidently-0.4-dataframe",
    title=FRAME_TITLE,
    kind="table",
    datasets=("monitoring",),
    recognise=lambda tables: _frame_sheet(tables) is not None,
    stage=stage_frame,
)

FORMATS = [REPORT, FRAME]
