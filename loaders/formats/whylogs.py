"""whylogs 1.6 profile summary (`ProfileView.to_pandas().to_csv()`): a data-quality snapshot.

One row per profiled column, metric columns `<namespace>/<metric>` (`counts/n`, `counts/null`,
`distribution/mean`, `cardinality/est`, `types/fractional` …). A point per profiled column and numeric
metric: metric = `<namespace>/<metric>`, feature = the profiled column. `frequent_items/*` (lists) and
`type` are not loaded. The file has no time and no system: give `--as-of` (else the file name's date,
else the import day, with a warning) and `--system`.
"""

from __future__ import annotations

from ._base import Format, Refused, Sheet, Staged, Tables, cell_number
from ._points import Point, resolve, staged

TITLE = "whylogs profile summary CSV (to_pandas().to_csv())"


def _sheet(tables: Tables) -> Sheet | None:
    for sheet in tables.sheets:
        if sheet.head:
            cells = [c or "" for c in sheet.head[0][1]]
            if cells and cells[0] == "column" and {"counts/n", "type"} <= set(cells):
                return sheet
    return None


def stage(tables: Tables, options) -> list[Staged]:
    sheet = _sheet(tables)
    header = [c or "" for c in sheet.head[0][1]]
    ctx = resolve(tables.path, options, TITLE)
    points, profiled = [], []
    for row_no, cells in sheet.rows[1:]:
        column = cells[0]
        if not column:
            continue
        profiled.append(column)
        for j, name in enumerate(header[1:], start=1):
            if "/" not in name or name.startswith("frequent_items/") or j >= len(cells):
                continue
            if (value := cell_number(cells[j])) is not None:
                points.append(Point(row=row_no, metric=name, value=value, feature=column))
    if not points:
        raise Refused(f"a {TITLE} without any numeric value")
    return [
        staged(
            points,
            ctx,
            {
                "metric": "<namespace>/<metric> column",
                "feature": "column (the profiled column)",
                "value": "cell",
            },
            notes={"profiled columns": ", ".join(profiled), "not loaded": "frequent_items/*, type"},
        )
    ]


FORMATS = [Format("whylogs-profile", TITLE, "table", ("monitoring",), lambda t: _sheet(t) is not None, stage)]
