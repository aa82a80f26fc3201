"""The bytes of a file the bulk path loads (`store.bulk`), read once in a thread while DuckDB reads it:
its sha256 (the name it is kept under), whether it is UTF-8 throughout, has blank lines or quotes, and
a copy of it next to the database.

A copy rather than a hard link: a linked "original" would change with the user's file if it were edited
in place, and the kept file is what an auditor is shown. hashlib, file I/O and NumPy let go of the GIL,
which DuckDB's threads take now and then; the thread slows the read by less than a tenth.
"""

from __future__ import annotations

import codecs
import hashlib
import shutil
import threading
from pathlib import Path

import numpy as np

__all__ = ["Digest"]


def _has_blank_line(data: bytes) -> bool:
    """`\\n\\n`, `\\n\\r\\n` or `\\r\\r` in `data` (a line the generic reader counts as a row).

    NumPy rather than a regex: its loops let go of the GIL, which DuckDB's threads take now and then; a
    regex here slowed a 5M-row read by a fifth.
    """
    codes = np.frombuffer(data, np.uint8)
    for mark, between in ((10, (13,)), (13, ())):
        at = np.flatnonzero(codes == mark)
        gaps = np.diff(at)
        if (gaps == 1).any():
            return True
        for middle in between:  # LF CR LF (an empty CRLF line): a LF two bytes after a LF, a CR between
            two = at[:-1][gaps == 2]
            if two.size and (codes[two + 1] == middle).any():
                return True
    return False


class Digest(threading.Thread):
    """sha256 of a file, whether it is UTF-8, has blank lines or quotes; then a copy of it next to the
    database under `<folder>/.<sha>.<thread>.part`."""

    def __init__(self, path: Path, folder: Path):
        super().__init__(daemon=True)
        self.path, self.folder = path, folder
        self.sha256 = ""
        self.utf8, self.blank_lines, self.quotes = True, False, False
        self.part: Path | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._read()
            if not (self.folder / self.sha256).exists():
                self.folder.mkdir(parents=True, exist_ok=True)
                self.part = self.folder / f".{self.sha256}.{threading.get_ident()}.part"
                shutil.copyfile(self.path, self.part)
        except BaseException as exc:  # handed to the writer's thread by `result`
            self.error = exc

    def _read(self) -> None:
        digest, decoder, tail = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")(), b""
        with self.path.open("rb") as fh:
            chunk = fh.read(1 << 20)
            self.blank_lines = chunk.removeprefix(b"\xef\xbb\xbf").startswith((b"\n", b"\r\n"))
            while chunk:
                following = fh.read(1 << 20)
                digest.update(chunk)
                window = tail + chunk
                body = window if following else window.rstrip(b"\r\n")  # as the generic reader sees it
                self.blank_lines = self.blank_lines or _has_blank_line(body)
                self.quotes = self.quotes or b'"' in chunk
                if self.utf8 and not chunk.isascii():
                    try:
                        decoder.decode(chunk, final=not following)
                    except UnicodeDecodeError:
                        self.utf8 = False
                chunk, tail = following, window[-2:]
        self.sha256 = digest.hexdigest()

    def result(self) -> Digest:
        self.join()
        if self.error is not None:
            raise self.error
        return self

    def keep(self) -> None:
        """Move the copy to its place (the name is the content's digest, so a copy already there stays)."""
        if self.part is not None:
            self.part.replace(self.folder / self.sha256)
            self.part = None

    def discard(self) -> None:
        self.join()
        if self.part is not None:
            self.part.unlink(missing_ok=True)
            self.part = None
