"""Evidently 0.7 (current API): snapshot JSON, workspace snapshot, and their tabular flattenings.

- `save_json()` / `json()`: `{"metrics": [...], "tests": [...]}`. No model, no time: both come from the
  options or the file name.
- `dumps()` (what a workspace stores per snapshot): `metric_results`, `timestamp`, `metadata`
  (`model`, `model_version`); its widgets are dropped while parsing and never kept.
- a long CSV of metric values (`timestamp, metric_id, metric_name, metric_type, value_key, value`).
- a CSV of tests alone (no values) is recognised and refused.

Metric naming: the metric type (`Accuracy`, `ValueDrift`, `DriftedColumnsCount`) with `.count` / `.share`
(or `.mean` / `.std`) for two-part values; the `column` parameter is the feature and a per-label value
is the segment `label=<label>`. When a report has the same type twice for the same column, the
parameters that tell them apart are added in brackets. Thresholds: tests `lt`/`lte` give an upper
bound, `gt`/`gte` a lower one, `eq` both (expected ± tolerance, as the test's name prints them); a
`ValueDrift` metric's own threshold is a lower bound for p-value methods (drift when below) and an upper
bound for distances (drift when above). Several tests on one value: the tightest bounds, the worst
status (FAIL > ERROR > WARNING > SUCCESS), names joined with ` | `.
"""

from __future__ import annotations

import re
from typing import Any

from ._base import Document, Format, Refused, Sheet, Staged, Tables, cell_number, file_message
from ._points import Point, is_p_value, resolve, staged

TITLE = "Evidently 0.7 snapshot JSON (save_json / json())"
DUMPS_TITLE = "Evidently 0.7 workspace snapshot JSON (dumps())"
VALUES_TITLE = "Evidently 0.7 metric values CSV (one row per metric value)"

_WORST = {"FAIL": 4, "ERROR": 3, "WARNING": 2, "SUCCESS": 1}
_EQUAL = re.compile(r"Equal\s+(-?[\d.]+(?:e-?\d+)?)\s*±\s*([\d.]+(?:e-?\d+)?)", re.I)
_ONE_SIDED = re.compile(r"(Less|Greater)(?:\s+or\s+equal)?(?:\s+than)?\s+(-?[\d.]+(?:e-?\d+)?)", re.I)


def _type(text: str | None) -> str:
    return str(text or "").rsplit(":", 1)[-1]


# --- values -----------------------------------------------------------------------------------------------


def _scalar(value: Any) -> float | None:
    return cell_number(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _split_value(value: Any) -> list[tuple[str | None, str | None, float]]:
    """(sub-key, label, number) for every number of a metric value; nothing for tables and texts."""
    if (number := _scalar(value)) is not None:
        return [(None, None, number)]
    if not isinstance(value, dict):
        return []
    parts: list[tuple[str | None, str | None, float]] = []
    for pair in (("count", "share"), ("mean", "std")):
        if set(pair) <= set(value):
            for key in pair:
                if (number := _scalar(value[key])) is not None:
                    parts.append((key, None, number))
            return parts
    if value and all(_scalar(v) is not None or v is None for v in value.values()):
        return [(None, str(k), _scalar(v)) for k, v in value.items() if _scalar(v) is not None]
    if value and all(isinstance(v, dict) for v in value.values()):  # a frame's to_dict(): column -> row -> v
        for column, cells in value.items():
            for label, cell in cells.items():
                if (number := _scalar(cell)) is not None:
                    parts.append((str(column), str(label), number))
    return parts


# --- tests ------------------------------------------------------------------------------------------------


def _test_bounds(test: dict, params: dict) -> tuple[float | None, float | None, str]:
    """Lower and upper bound a test checks, and the kind that said so."""
    config = test.get("test_config") or {}
    kind = (
        _type(config.get("type")) or _type((test.get("bound_test") or {}).get("type")) or test.get("id", "")
    )
    ident = str(test.get("id", "")).lower()
    threshold = _scalar(config.get("threshold"))
    name = str(test.get("name", ""))
    if "drift" in kind.lower() or ident == "drift":
        return (*_drift_bounds(params), kind or "drift")
    if kind.startswith("Less") or ident in ("lt", "lte"):
        if threshold is None and (m := _ONE_SIDED.search(name)):
            threshold = float(m[2])
        return None, threshold, kind or ident
    if kind.startswith("Greater") or ident in ("gt", "gte"):
        if threshold is None and (m := _ONE_SIDED.search(name)):
            threshold = float(m[2])
        return threshold, None, kind or ident
    if kind.startswith("Equal") or ident == "eq":
        if m := _EQUAL.search(name):
            expected, tolerance = float(m[1]), float(m[2])
            return expected - tolerance, expected + tolerance, kind or ident
    return None, None, kind or ident


def _drift_bounds(params: dict) -> tuple[float | None, float | None]:
    threshold = _scalar(params.get("threshold"))
    if threshold is None or not params.get("method"):
        return None, None
    return (threshold, None) if is_p_value(params["method"]) else (None, threshold)


def _apply(point: Point, test: dict, params: dict, kinds: dict[str, str]) -> None:
    lower, upper, kind = _test_bounds(test, params)
    kinds[kind] = (
        "the drift method's threshold (p-value: lower; distance: upper)"
        if "drift" in kind.lower()
        else "lower and upper threshold (expected ± tolerance)"
        if lower is not None and upper is not None
        else "lower_threshold"
        if lower is not None
        else "upper_threshold"
        if upper is not None
        else "verdict only"
    )
    if lower is not None:
        point.lower = lower if point.lower is None else max(point.lower, lower)
    if upper is not None:
        point.upper = upper if point.upper is None else min(point.upper, upper)
    status = str(test.get("status") or "").upper() or None
    if status and (point.verdict is None or _WORST.get(status, 0) > _WORST.get(point.verdict.upper(), 0)):
        point.verdict = status
    name = str(test.get("name") or test.get("id") or "")
    point.test_name = name if not point.test_name else f"{point.test_name} | {name}"


# --- one metric -------------------------------------------------------------------------------------------


class _Metric:
    def __init__(self, row: int, fingerprint: str, params: dict, value: Any, tests: list[dict]):
        self.row, self.fingerprint, self.tests = row, fingerprint, tests
        self.type = _type(params.get("type"))
        self.params = {k: v for k, v in params.items() if k != "type"}
        self.value = value

    def points(self, methods: dict[str, str]) -> list[Point]:
        column = self.params.get("column") if isinstance(self.params.get("column"), str) else None
        out = []
        for sub, label, number in _split_value(self.value):
            feature = " / ".join(x for x in (column, f"label={label}" if label is not None else None) if x)
            point = Point(
                row=self.row,
                metric=self.type + (f".{sub}" if sub else ""),
                value=number,
                feature=feature or None,
            )
            lower, upper = _drift_bounds(self.params)
            if lower is not None or upper is not None:
                method = str(self.params["method"])
                methods[method] = (
                    "p-value: drift below the threshold (lower_threshold)"
                    if lower is not None
                    else "distance: drift above the threshold (upper_threshold)"
                )
            if sub == "share" and _scalar(self.params.get("drift_share")) is not None:
                upper = _scalar(self.params["drift_share"])  # dataset drift when share >= drift_share
            point.lower, point.upper = lower, upper
            out.append(point)
        return out

    def describe(self) -> str:
        shown = [f"{k}={v}" for k, v in sorted(self.params.items()) if k not in ("column", "columns")]
        return ",".join(shown)


def _disambiguate(metrics: list[tuple[_Metric, list[Point]]]) -> None:
    seen: dict[tuple[str, str | None], int] = {}
    for _, points in metrics:
        for p in points:
            seen[(p.metric, p.feature)] = seen.get((p.metric, p.feature), 0) + 1
    for metric, points in metrics:
        for p in points:
            if seen[(p.metric, p.feature)] > 1:
                base, _, sub = p.metric.partition(".")
                tag = metric.describe() or metric.fingerprint[:8]
                p.metric = f"{base}[{tag}]" + (f".{sub}" if sub else "")


def _attach(metrics, tests_of, path, kinds) -> list:
    """Tests onto the points of their metric; a test whose metric is not in the file is a warning."""
    messages = []
    by_fp = {m.fingerprint: (m, pts) for m, pts in metrics}
    for fp, tests in tests_of.items():
        if fp not in by_fp:
            for t in tests:
                messages.append(
                    file_message(
                        "test_without_metric",
                        path.name,
                        f"test {t.get('name')!r} refers to metric {fp}, which the file does not hold",
                    )
                )
            continue
        metric, points = by_fp[fp]
        for test in tests:
            if not points:
                continue
            target = points
            bound = test.get("bound_test") or {}
            if "is_count" in bound:
                wanted = "count" if bound["is_count"] else "share"
                target = [p for p in points if p.metric.endswith("." + wanted)] or points[:1]
            elif "label" in bound:
                target = [p for p in points if p.feature and p.feature.endswith(f"label={bound['label']}")]
            elif len(points) > 1:
                target = points[:1]
            for p in target:
                _apply(p, test, metric.params, kinds)
    return messages


_SOURCES = {
    "metric": "metric type (config.type), with .count/.share or .mean/.std",
    "feature": "column parameter; label=<key> for per-label values",
    "value": "metric value",
    "lower_threshold": "tests gt/gte, eq (expected − tolerance); drift threshold of p-value methods",
    "upper_threshold": "tests lt/lte, eq (expected + tolerance); drift threshold of distances; drift_share",
    "verdict": "tests[].status",
    "test_name": "tests[].name",
}


def _points(metrics: list[_Metric], tests_of: dict[str, list[dict]], path) -> tuple[list[Point], dict, list]:
    methods: dict[str, str] = {}
    kinds: dict[str, str] = {}
    pairs = [(m, m.points(methods)) for m in metrics]
    messages = _attach(pairs, tests_of, path, kinds)
    _disambiguate(pairs)
    skipped = [m.type for m, pts in pairs if not pts]
    if skipped:
        messages.append(
            file_message(
                "values_skipped",
                path.name,
                "no number to load in: " + ", ".join(sorted(set(skipped))),
            )
        )
    maps = {}
    if methods:
        maps["drift method"] = methods
    if kinds:
        maps["test kind"] = kinds
    return [p for _, pts in pairs for p in pts], maps, messages


# --- save_json() / json() ---------------------------------------------------------------------------------


def _is_snapshot(doc: Document) -> bool:
    data = doc.data
    return (
        isinstance(data, dict)
        and isinstance(data.get("metrics"), list)
        and "metric_results" not in data
        and all(isinstance(m, dict) and "metric_name" in m and "config" in m for m in data["metrics"][:5])
        and bool(data["metrics"])
    )


def _stage_points(doc: Document, ctx, metrics, tests_of, *, rows: str, read: str) -> list[Staged]:
    """Both snapshot shapes end alike: metrics and their tests become judged points, staged for monitoring."""
    points, maps, messages = _points(metrics, tests_of, doc.path)
    out = staged(points, ctx, _SOURCES, value_maps=maps, notes={"rows": rows, "read": read})
    out.messages.extend(messages)
    return [out]


def stage_snapshot(doc: Document, options) -> list[Staged]:
    data = doc.data
    ctx = resolve(doc.path, options, TITLE)
    metrics = [
        _Metric(i, str(m.get("id")), m.get("config") or {}, m.get("value"), [])
        for i, m in enumerate(data["metrics"], start=1)
    ]
    tests_of: dict[str, list[dict]] = {}
    for t in data.get("tests") or []:
        fp = str((t.get("metric_config") or {}).get("metric_id"))
        tests_of.setdefault(fp, []).append(t)
    read = f"{len(metrics)} metrics, {len(data.get('tests') or [])} tests"
    return _stage_points(doc, ctx, metrics, tests_of, rows="position in the metrics list", read=read)


SNAPSHOT = Format(
    name="evidently-0.7-snapshot",
    title=TITLE,
    kind="document",
    datasets=("monitoring",),
    recognise=_is_snapshot,
    stage=stage_snapshot,
)


# --- dumps() (workspace snapshot) ----------------------------------------------------------------------------


def _is_dumps(doc: Document) -> bool:
    data = doc.data
    return isinstance(data, dict) and isinstance(data.get("metric_results"), dict) and "timestamp" in data


def _result_value(result: dict) -> tuple[Any, list[dict]]:
    """A metric result's value in the shape of save_json() values, and the tests of its sub-values."""
    tests: list[dict] = []
    if "value" in result and not isinstance(result["value"], dict):
        return result["value"], tests
    subs = {k: v for k, v in result.items() if isinstance(v, dict) and "value" in v}
    if subs:
        for sub in subs.values():
            tests += sub.get("tests") or []
        return {k: v["value"] for k, v in subs.items()}, tests
    for key in ("values", "counts", "shares"):
        if isinstance(result.get(key), dict):
            labels = result[key]
            for sub in labels.values():
                tests += (sub or {}).get("tests") or []
            return {k: (v or {}).get("value") for k, v in labels.items()}, tests
    return result.get("value"), tests


def stage_dumps(doc: Document, options) -> list[Staged]:
    data = doc.data
    meta = data.get("metadata") or {}
    ctx = resolve(
        doc.path,
        options,
        DUMPS_TITLE,
        system=meta.get("model") or meta.get("ai_system") or meta.get("system"),
        system_from="metadata.model in the file",
        version=None if meta.get("model_version") is None else str(meta["model_version"]),
        version_from="metadata.model_version in the file",
        time=data.get("timestamp"),
        time_from="timestamp in the file",
    )
    results = data["metric_results"]
    order = [fp for fp in data.get("top_level_metrics") or [] if fp in results]
    order += [fp for fp in results if fp not in order]
    metrics, tests_of = [], {}
    for row, fp in enumerate(order, start=1):
        result = results[fp] or {}
        location = (result.get("metric_value_location") or {}).get("metric") or {}
        value, sub_tests = _result_value(result)
        metrics.append(_Metric(row, fp, location.get("params") or {}, value, []))
        for t in (result.get("tests") or []) + sub_tests:
            tests_of.setdefault(fp, []).append(t)
    read = f"{len(metrics)} metric results (widgets not read), snapshot {data.get('name') or '-'}"
    return _stage_points(doc, ctx, metrics, tests_of, rows="position in top_level_metrics", read=read)


DUMPS = Format(
    name="evidently-0.7-workspace",
    title=DUMPS_TITLE,
    kind="document",
    datasets=("monitoring",),
    recognise=_is_dumps,
    stage=stage_dumps,
)


# --- long CSV of metric values ---------------------------------------------------------------------------

_VALUE_COLUMNS = {"metricname", "metrictype", "valuekey", "value"}
_PARAM = re.compile(r"(?:\(|,)(column|method|threshold|drift_share)=([^,()]*)")


def _values_sheet(tables: Tables) -> Sheet | None:
    for sheet in tables.sheets:
        if sheet.header_at(_VALUE_COLUMNS, within=3):
            return sheet
    return None


def stage_values(tables: Tables, options) -> list[Staged]:
    sheet = _values_sheet(tables)
    header_row, keys = sheet.header_at(_VALUE_COLUMNS, within=3)
    col = {k: j for j, k in enumerate(keys) if k}
    has_time = "timestamp" in col
    ctx = resolve(tables.path, options, VALUES_TITLE, needs_time=not has_time)
    metrics: list[tuple[_Metric, list[Point]]] = []
    methods: dict[str, str] = {}
    for row_no, cells in sheet.rows:
        if row_no <= header_row:
            continue

        def cell(key, cells=cells):
            j = col.get(key)
            return cells[j] if j is not None and j < len(cells) else None

        params = {"type": cell("metrictype") or (cell("metricname") or "").split("(")[0]}
        params.update({k: v.strip() for k, v in _PARAM.findall(cell("metricname") or "")})
        if params.get("threshold"):
            params["threshold"] = cell_number(params["threshold"])
        if params.get("drift_share"):
            params["drift_share"] = cell_number(params["drift_share"])
        key = cell("valuekey")
        number = cell_number(cell("value"))
        if number is None:
            continue
        value: Any = {key: number} if key else number
        if key in ("count", "share", "mean", "std"):
            value = {key: number, ("share" if key == "count" else "count"): None}
            if key in ("mean", "std"):
                value = {key: number, ("std" if key == "mean" else "mean"): None}
        metric = _Metric(row_no, cell("metricid") or "", params, value, [])
        points = metric.points(methods)
        for p in points:
            p.observed_at = cell("timestamp") if has_time else None
        metrics.append((metric, points))
    _disambiguate(metrics)
    points = [p for _, pts in metrics for p in pts]
    if not points:
        raise Refused(f"{VALUES_TITLE} without any numeric value")
    return [
        staged(
            points,
            ctx,
            {
                "observed_at": "timestamp" if has_time else f"time ({ctx.time_from})",
                "metric": "metric_type (+ value_key count/share)",
                "feature": "column= in metric_name; label=<value_key> for per-label values",
                "value": "value",
                "lower_threshold": "threshold= in metric_name (p-value methods)",
                "upper_threshold": "threshold= in metric_name (distances); drift_share",
            },
            value_maps={"drift method": methods} if methods else {},
        )
    ]


VALUES = Format(
    name="evidently-0.7-values",
    title=VALUES_TITLE,
    kind="table",
    datasets=("monitoring",),
    recognise=lambda tables: _values_sheet(tables) is not None,
    stage=stage_values,
)


# --- tests table alone: recognised, refused ---------------------------------------------------------------

_TESTS_COLUMNS = {"id", "name", "status", "metricconfigmetricid"}


def _tests_sheet(tables: Tables) -> Sheet | None:
    return next((s for s in tables.sheets if s.header_at(_TESTS_COLUMNS, within=3)), None)


def refuse_tests(tables: Tables, options) -> list[Staged]:
    sheet = _tests_sheet(tables)
    header_row, _ = sheet.header_at(_TESTS_COLUMNS, within=3)
    count = sum(1 for r, cells in sheet.rows if r > header_row and any(cells))
    raise Refused(
        f"an Evidently tests table ({count} tests: id, name, description, status, metric id): it holds "
        "each test's verdict but not the measured values, so it cannot make monitoring points; missing: "
        "value. Load the snapshot JSON the tests came from (save_json or the workspace snapshot): its "
        "tests are loaded beside their values"
    )


TESTS = Format(
    name="evidently-0.7-tests",
    title="Evidently 0.7 tests CSV (verdicts without values; refused)",
    kind="table",
    datasets=(),
    recognise=lambda tables: _tests_sheet(tables) is not None,
    stage=refuse_tests,
)

FORMATS = [SNAPSHOT, DUMPS, VALUES, TESTS]
