"""Monitoring points from tool exports: the context a file lacks, and the staged `monitoring` table.

Context (the AI system, the model version, the time of a single-snapshot report) is taken, in this
order, from the options (`--system`, `--model-version`, `--as-of`), from the file itself (e.g. an
Evidently workspace snapshot's `metadata.model` and `timestamp`), then from the file name
(`monitoring_<system>_<YYYY-MM-DD or YYYY-Qn>.<ext>` names the system; `_v2.1` a model version; a date or
quarter the time). A file that names no AI system anywhere is refused with a request for `--system`;
a single-snapshot report without any time is stamped with the import day, with a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._base import MissingContext, Staged, file_message, number_text

FIELDS = [
    "observed_at",
    "ai_system",
    "model_version",
    "metric",
    "feature",
    "value",
    "lower_threshold",
    "upper_threshold",
    "verdict",
    "test_name",
]

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})[-_ ]?Q([1-4])", re.I)
_SYSTEM_NAME = re.compile(r"^monitoring[_-](?P<system>.+?)[_-](\d{4}-\d{2}-\d{2}|\d{4}[-_ ]?Q[1-4])$", re.I)
_VERSION = re.compile(r"(?:^|[_\-. ])v(\d+(?:\.\d+)*)(?=$|[_\-. ])", re.I)

# p-value drift tests breach below their threshold; every other drift score (a distance) above it.
P_VALUE_METHODS = {
    "ks",
    "chisquare",
    "z",
    "fisher_exact",
    "g_test",
    "anderson",
    "mannw",
    "cramer_von_mises",
    "epps_singleton",
    "t_test",
    "empirical_mmd",
}


def is_p_value(method: str | None) -> bool:
    """Whether a drift method's score is a p-value (drift when below the threshold)."""
    text = (method or "").strip().lower()
    return "p_value" in text or "p-value" in text or "pvalue" in text or text in P_VALUE_METHODS


@dataclass
class Point:
    """One measured value, as read from a tool's export."""

    row: int
    metric: str
    value: float
    feature: str | None = None
    observed_at: str | None = None  # ISO text or epoch milliseconds; None: the context's time
    lower: float | None = None
    upper: float | None = None
    verdict: str | None = None  # the tool's own word (SUCCESS, FAIL, pass, fail ...)
    test_name: str | None = None
    model_version: str | None = None  # per-row version (MLflow run tags); None: the context's


@dataclass
class Context:
    system: str
    system_from: str
    version: str | None
    version_from: str
    time: str | None = None
    time_from: str = ""
    notes: dict[str, str] = field(default_factory=dict)
    messages: list = field(default_factory=list)


def _quarter_end(year: int, quarter: int) -> dt.date:
    month = quarter * 3
    return dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)


def date_in_name(path: Path) -> dt.date | None:
    stem = path.stem
    if m := _DATE.search(stem):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    if m := _QUARTER.search(stem):
        return _quarter_end(int(m[1]), int(m[2]))
    return None


def resolve(
    path: Path,
    options: Any,
    title: str,
    *,
    system: str | None = None,
    system_from: str = "the file",
    version: str | None = None,
    version_from: str = "the file",
    time: str | None = None,
    time_from: str = "the file",
    needs_time: bool = True,
) -> Context:
    """The AI system, model version and (for single-snapshot reports) time of a file's points."""
    if getattr(options, "system", None):
        system, system_from = options.system, "--system"
    elif system:
        pass
    elif m := _SYSTEM_NAME.match(path.stem):
        system, system_from = m["system"].replace("-", " ").replace("_", " "), "file name"
    else:
        raise MissingContext(
            f"{title}: the file does not say which AI system it monitors; give it with --system "
            '(for example --system "Credit scoring"), or name the file monitoring_<system>_<date>'
            f"{path.suffix}"
        )
    if getattr(options, "model_version", None):
        version, version_from = options.model_version, "--model-version"
    elif version:
        pass
    elif m := _VERSION.search(path.stem):
        version, version_from = m[1], "file name"
    else:
        version, version_from = None, "not in the file; --model-version gives it"
    ctx = Context(
        system=str(system).strip(), system_from=system_from, version=version, version_from=version_from
    )
    if not needs_time:
        return ctx
    if time:
        ctx.time, ctx.time_from = time, time_from
    elif getattr(options, "as_of", None):
        ctx.time, ctx.time_from = options.as_of.isoformat(), "--as-of"
    elif day := date_in_name(path):
        ctx.time, ctx.time_from = day.isoformat(), "file name"
    else:
        ctx.time, ctx.time_from = dt.date.today().isoformat(), "import day"
        ctx.messages.append(
            file_message(
                "assumed_time",
                path.name,
                "the report carries no time: its points are stamped with the import day; "
                "give --as-of with the day the report describes",
            )
        )
    return ctx


def _day_of(text: str | None) -> dt.date | None:
    """The calendar day of a staged time (ISO text, or epoch milliseconds in UTC)."""
    if not text:
        return None
    if text.isdigit() and len(text) >= 12:
        return dt.datetime.fromtimestamp(int(text) / 1000, dt.UTC).date()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def staged(
    points: list[Point],
    ctx: Context,
    sources: dict[str, str],
    *,
    value_maps: dict[str, dict[str, str]] | None = None,
    sheet: str | None = None,
    notes: dict[str, str] | None = None,
) -> Staged:
    """The `monitoring` table of a file's points, with the context shown to the user."""
    rows = []
    for p in points:
        rows.append(
            (
                p.row,
                [
                    p.observed_at or ctx.time,
                    ctx.system,
                    p.model_version if p.model_version is not None else ctx.version,
                    p.metric,
                    p.feature,
                    number_text(p.value),
                    number_text(p.lower),
                    number_text(p.upper),
                    p.verdict,
                    p.test_name,
                ],
            )
        )
    shown = {
        "observed_at": f"time ({ctx.time_from})" if ctx.time_from and ctx.time else "time",
        "ai_system": f"AI system ({ctx.system_from})",
        "model_version": f"model version ({ctx.version_from})",
        **sources,
    }
    context = {"AI system": f"{ctx.system} ({ctx.system_from})"}
    context["model version"] = f"{ctx.version} ({ctx.version_from})" if ctx.version else ctx.version_from
    if ctx.time:
        context["time"] = f"{ctx.time} ({ctx.time_from})"
    context.update(notes or {})
    context.update(ctx.notes)
    days = {_day_of(r[1][0]) for r in rows} - {None}
    as_of = (max(days), "data (latest point)") if days and ctx.time_from != "import day" else None
    return Staged(
        dataset="monitoring",
        fields=FIELDS,
        sources=shown,
        rows=rows,
        sheet=sheet,
        context=context,
        value_maps=value_maps or {},
        messages=list(ctx.messages),
        as_of=as_of,
    )
