"""Writing from the app: uploads, removals (and later settings and review records), through the writer.

Each action opens the store for the moment it writes, so the dashboard never holds the database file.
Uploaded bytes are written under their own file name in a private temporary folder (the name can carry the
as-of date), checked, and loaded in one transaction per file.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from loaders.contracts import CONTRACTS
from loaders.pipeline import LoadOptions
from store.db import limit_memory
from store.writer import LoadResult, RemoveError, load_file, open_store, remove_import, user_name

from .data import db_file

__all__ = [
    "CONTRACTS",
    "RemoveError",
    "Upload",
    "user_name",
    "check_uploads",
    "load_uploads",
    "pack_bytes",
    "record_review",
    "remove",
    "save_setting",
    "template",
    "update_action",
]


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def _options(
    dataset: str | None,
    as_of: dt.date | None,
    scope: str,
    dayfirst: bool | None,
    system: str | None = None,
    model_version: str | None = None,
) -> LoadOptions:
    return LoadOptions(
        dataset=dataset or None,
        as_of=as_of,
        scope=scope.strip() or "organisation",
        dayfirst=dayfirst,
        system=system,
        model_version=model_version,
    )


def _staged(folder: Path, upload: Upload) -> Path:
    path = folder / Path(upload.name).name  # never a path from the client, only its last part
    path.write_bytes(upload.data)
    return path


def check_uploads(uploads: list[Upload], **opts) -> list[LoadResult]:
    """Dry run: how each file is understood and its problems; writes nothing."""
    options = _options(**opts)
    with tempfile.TemporaryDirectory() as tmp:
        return [load_file(None, _staged(Path(tmp), u), options, dry_run=True) for u in uploads]


def load_uploads(uploads: list[Upload], *, user: str, progress=None, **opts) -> list[LoadResult]:
    """Load each file in its own transaction; `progress(i, n, name)` is called before each file."""
    options = _options(**opts)
    results = []
    with tempfile.TemporaryDirectory() as tmp, open_store(db_file(), wait=30) as con:
        limit_memory(con)  # a connection of its own: the pages read through others
        for i, upload in enumerate(uploads):
            if progress:
                progress(i, len(uploads), upload.name)
            results.append(load_file(con, _staged(Path(tmp), upload), options, user=user))
    return results


def remove(import_id: int, *, user: str) -> dict:
    with open_store(db_file(), wait=30) as con:
        return remove_import(con, import_id, user=user)


def record_review(*, quarter: str, kind: str, text: str, owner: str | None, due_date, user: str) -> int:
    """Record a management-review decision or action (9.3.3) through the writer."""
    from store.writer import record_review_item

    with open_store(db_file(), wait=30) as con:
        return record_review_item(
            con,
            quarter=quarter,
            kind=kind,
            text=text,
            owner=owner,
            due_date=due_date,
            held_on=dt.date.today(),
            user=user,
        )


def update_action(record_key: int, *, status: str, user: str) -> int:
    from store.writer import update_review_action

    with open_store(db_file(), wait=30) as con:
        return update_review_action(con, record_key, status=status, user=user)


def save_setting(key: str, value, *, user: str, valid_from=None, note: str | None = None) -> None:
    from store.writer import set_setting

    with open_store(db_file(), wait=30) as con:
        set_setting(con, key, value, user=user, valid_from=valid_from, note=note)


def pack_bytes(*, quarter: str, scope: str, system: str | None, unit: str | None) -> bytes:
    """The quarterly workbook, built from metrics/ exactly as `aims export` builds it."""
    from exports import build_pack
    from store import db

    with db.opened(db_file(), wait=30) as con:
        return build_pack(con, quarter=quarter, scope=scope, system=system, unit=unit)


def template(dataset: str) -> bytes:
    from exports import template_bytes

    return template_bytes(dataset)
