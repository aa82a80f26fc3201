"""MLflow exports: runs (`mlflow.search_runs()` to CSV, `mlflow experiments csv`), metric history
(`MlflowClient.get_metric_history` to CSV) and the UI's chart "Download CSV".

- Runs: one row per run, `metrics.<key>` = the run's latest value. A point per run and metric, at the
  run's `end_time` (else `start_time`; tz-aware ISO, kept in UTC). AI system: `--system`, else the
  run's `tags.model_name`; model version: `--model-version`, else `tags.model_version`. Thresholds
  from parameters: `params.<key>_min` / `params.min_<key>` (lower), `_max` (upper), and
  `params.threshold_<key>` / `params.<key>_threshold`, a lower bound for scores where higher is better
  (accuracy, AUC, F1, precision, recall …), an upper bound for losses and errors, else not used.
- Metric history: `key, value, timestamp (epoch ms), step, run_id`; the chart CSV: `Run` (or `Group`),
  `Run ID`, `metric`, `step`, `timestamp`, `value`, every field quoted, values escaped with a leading
  `'`. The run is the segment `run=<name or id>`: two runs that log the same steps stay apart.
"""

from __future__ import annotations

import re

from ._base import Format, Refused, Sheet, Staged, Tables, cell_number, strip_escape
from ._points import Point, resolve, staged

RUNS_TITLE = "MLflow runs CSV (search_runs / experiments csv)"
HISTORY_TITLE = "MLflow metric history CSV (get_metric_history)"
CHART_TITLE = "MLflow UI chart CSV (Download CSV)"

HIGHER_IS_BETTER = re.compile(r"(acc|auc|f1|precision|recall|r2|score|tpr|tnr|specificity|sensitivity)", re.I)
LOWER_IS_BETTER = re.compile(r"(loss|error|mae|mse|rmse|mape|fpr|fnr|latency|drift|psi)", re.I)


def _sheet(tables: Tables, keys: set[str]) -> Sheet | None:
    return next((s for s in tables.sheets if s.header_at(keys, within=2)), None)


def _runs(tables):
    sheet = _sheet(tables, {"run_id", "experiment_id", "start_time"})
    if sheet and any((c or "").startswith("metrics.") for c in sheet.head[0][1]):
        return sheet
    return None


def _bounds(key: str, params: dict[str, str]) -> tuple[float | None, float | None, str | None]:
    lower = cell_number(params.get(f"{key}_min") or params.get(f"min_{key}"))
    upper = cell_number(params.get(f"{key}_max") or params.get(f"max_{key}"))
    source = None
    threshold = params.get(f"threshold_{key}") or params.get(f"{key}_threshold")
    if (number := cell_number(threshold)) is not None:
        if HIGHER_IS_BETTER.search(key) and not LOWER_IS_BETTER.search(key):
            lower, source = lower if lower is not None else number, "lower (higher is better)"
        elif LOWER_IS_BETTER.search(key):
            upper, source = upper if upper is not None else number, "upper (lower is better)"
    return lower, upper, source


def stage_runs(tables: Tables, options) -> list[Staged]:
    sheet = _runs(tables)
    header = [c or "" for c in sheet.head[0][1]]
    rows = [(r, cells) for r, cells in sheet.rows if r > sheet.head[0][0]]

    def tag(cells, name):
        j = header.index(name) if name in header else None
        return cells[j] if j is not None and j < len(cells) else None

    names = {tag(c, "tags.model_name") for _, c in rows} - {None}
    ctx = resolve(
        tables.path,
        options,
        RUNS_TITLE,
        system=names.pop() if len(names) == 1 else None,
        system_from="tags.model_name in the file",
        needs_time=False,
    )
    points, bounds_used, statuses = [], {}, {}
    for row_no, cells in rows:
        at = tag(cells, "end_time") or tag(cells, "start_time")
        statuses[tag(cells, "status") or "-"] = statuses.get(tag(cells, "status") or "-", 0) + 1
        params = {
            h[len("params.") :]: cells[j]
            for j, h in enumerate(header)
            if h.startswith("params.") and j < len(cells)
        }
        version = None if options.model_version else tag(cells, "tags.model_version")
        for j, h in enumerate(header):
            if not h.startswith("metrics.") or j >= len(cells):
                continue
            value = cell_number(cells[j])
            if value is None:
                continue
            key = h[len("metrics.") :]
            lower, upper, source = _bounds(key, params)
            if source:
                bounds_used[f"params.threshold_{key}"] = source
            points.append(
                Point(
                    row=row_no,
                    metric=key,
                    value=value,
                    observed_at=at,
                    lower=lower,
                    upper=upper,
                    model_version=version,
                )
            )
    if not points:
        raise Refused(f"an {RUNS_TITLE} whose runs logged no metric")
    out = staged(
        points,
        ctx,
        {
            "observed_at": "end_time (else start_time), UTC",
            "model_version": "--model-version, else tags.model_version"
            if not options.model_version
            else "model version (--model-version)",
            "metric": "metrics.<key> (the run's latest value)",
            "value": "metrics.<key>",
            "lower_threshold": "params.threshold_<key> (higher is better) / params.<key>_min",
            "upper_threshold": "params.threshold_<key> (lower is better) / params.<key>_max",
        },
        value_maps={"threshold parameters": bounds_used} if bounds_used else {},
        notes={"runs": ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))},
    )
    if not options.model_version:
        out.context["model version"] = "tags.model_version of each run"
    return [out]


def _history(tables):
    return _sheet(tables, {"key", "value", "timestamp", "step"})


def _chart(tables):
    sheet = _sheet(tables, {"metric", "step", "timestamp", "value"})
    if sheet and {"run", "runid", "group"} & set(sheet.header_at({"metric", "step"}, within=2)[1]):
        return sheet
    return None


def _long(tables: Tables, options, sheet: Sheet, title: str, names: dict[str, str]) -> list[Staged]:
    header_row, keys = sheet.header_at(names.values(), within=2, at_least=4)
    col = {k: j for j, k in enumerate(keys) if k}
    ctx = resolve(tables.path, options, title, needs_time=False)
    points, runs = [], set()
    for row_no, cells in sheet.rows:
        if row_no <= header_row:
            continue

        def cell(field, cells=cells):
            j = col.get(names.get(field, ""))
            return strip_escape(cells[j]) if j is not None and j < len(cells) else None

        value = cell_number(cell("value"))
        if value is None:
            continue
        run = cell("run") or cell("run_id")
        runs.add(run)
        points.append(
            Point(
                row=row_no,
                metric=cell("metric") or "",
                value=value,
                feature=f"run={run}" if run else None,
                observed_at=cell("timestamp"),
            )
        )
    if not points:
        raise Refused(f"an {title} without any value")
    return [
        staged(
            points,
            ctx,
            {
                "observed_at": "timestamp (epoch milliseconds, UTC)",
                "metric": names["metric"],
                "feature": "run=<" + ("Run" if "run" in names else "run_id") + ">",
                "value": "value",
            },
            notes={
                "runs": f"{len(runs - {None})}",
                "steps": "step is not kept (the timestamp orders points)",
            },
        )
    ]


def stage_history(tables: Tables, options) -> list[Staged]:
    return _long(
        tables,
        options,
        _history(tables),
        HISTORY_TITLE,
        {"metric": "key", "value": "value", "timestamp": "timestamp", "step": "step", "run_id": "runid"},
    )


def stage_chart(tables: Tables, options) -> list[Staged]:
    sheet = _chart(tables)
    head = {c for c in sheet.head[0][1] if c}
    names = {
        "metric": "metric",
        "value": "value",
        "timestamp": "timestamp",
        "step": "step",
        "run_id": "runid",
    }
    names["run"] = "run" if "run" in {h.lower() for h in head} else "group"
    return _long(tables, options, sheet, CHART_TITLE, names)


FORMATS = [
    Format("mlflow-runs", RUNS_TITLE, "table", ("monitoring",), lambda t: _runs(t) is not None, stage_runs),
    Format(
        "mlflow-metric-history",
        HISTORY_TITLE,
        "table",
        ("monitoring",),
        lambda t: _history(t) is not None,
        stage_history,
    ),
    Format(
        "mlflow-ui-chart", CHART_TITLE, "table", ("monitoring",), lambda t: _chart(t) is not None, stage_chart
    ),
]
