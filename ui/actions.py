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

from loaders.pipeline import LoadOptions
from store.writer import LoadResult, load_file, open_store, remove_import

from .data import db_file

__all__ = ["Upload", "check_uploads", "load_uploads", "remove"]


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def _options(dataset: str | None, as_of: dt.date | None, scope: str, dayfirst: bool | None) -> LoadOptions:
    return LoadOptions(
        dataset=dataset or None, as_of=as_of, scope=scope.strip() or "organisation", dayfirst=dayfirst
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
        for i, upload in enumerate(uploads):
            if progress:
                progress(i, len(uploads), upload.name)
            results.append(load_file(con, _staged(Path(tmp), upload), options, user=user))
    return results


def remove(import_id: int, *, user: str) -> dict:
    with open_store(db_file(), wait=30) as con:
        return remove_import(con, import_id, user=user)
