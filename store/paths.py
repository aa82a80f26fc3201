"""Where the store lives, without importing DuckDB (the command line starts hashing a large file before
the database engine has loaded)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DEFAULT_DB", "db_path", "files_dir_of"]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "data" / "aims.duckdb"


def db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The database file: the given path, else `$AIMS_DB`, else `data/aims.duckdb`."""
    chosen = path or os.environ.get("AIMS_DB") or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def files_dir_of(database: Path) -> Path:
    """Where the original files of the database file `database` are kept, by sha256."""
    return Path(str(database) + ".files")
