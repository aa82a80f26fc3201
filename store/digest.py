"""The bytes of a file the bulk path loads (`store.bulk`), read once in a thread while DuckDB reads it:
its sha256 (the name it is kept under), whether it is UTF-8 throughout, has blank lines, quotes or lines
over a mebibyte, and a copy of it next to the database.

A copy rather than a hard link: a linked "original" would change with the user's file if it were edited
in place, and the kept file is what an auditor is shown. hashlib, file I/O and NumPy let go of the GIL,
which DuckDB's threads take now and then.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import shutil
import threading
from pathlib import Path

import numpy as np

__all__ = ["EARLY_MIN_BYTES", "Digest"]

_CHUNK = 1 << 20
EARLY_MIN_BYTES = 8 << 20  # a file this large is worth hashing while the program is still starting


class _BlankLines:
    """Finds `\\n\\n`, `\\n\\r\\n` or `\\r\\r` (a line the generic reader counts as a row) in chunks of
    a file.

    Whole-array comparisons in NumPy into buffers made once (0.1 ms a megabyte; fresh arrays per chunk
    cost ten times that in page faults) rather than a substring search or a regex: a two-byte search
    stops at every line end, and NumPy's loops let go of the GIL, which DuckDB's threads take now and
    then.
    """

    def __init__(self, size: int):
        self.lf, self.cr, self.both = (np.empty(size + 2, np.bool_) for _ in range(3))

    def __call__(self, data: bytes) -> bool:
        codes = np.frombuffer(data, np.uint8)
        n = codes.size
        if n > self.lf.size:
            self.__init__(n)
        lf, cr, both = self.lf[:n], self.cr[:n], self.both[: max(n - 1, 0)]
        np.equal(codes, 10, out=lf)
        if np.logical_and(lf[1:], lf[:-1], out=both).any():
            return True
        if b"\r" not in data:  # the usual LF file: done
            return False
        np.equal(codes, 13, out=cr)
        if np.logical_and(cr[1:], cr[:-1], out=both).any():
            return True
        middle = both[: max(n - 2, 0)]
        np.logical_and(lf[2:], cr[1:-1], out=middle)
        return bool(np.logical_and(middle, lf[:-2], out=middle).any())


class Digest(threading.Thread):
    """sha256 of a file, whether it is UTF-8, has blank lines, quotes or lines over a mebibyte; then
    (`keep`, unless a dry run) a copy of it next to the database under `<folder>/.<sha>.<thread>.part`."""

    def __init__(self, path: Path, folder: Path, *, keep: bool = True):
        super().__init__(daemon=True)
        self.path, self.folder, self.copy = path, folder, keep
        self.sha256 = ""
        self.utf8, self.blank_lines, self.quotes, self.long_lines = True, False, False, False
        self.part: Path | None = None
        self.error: BaseException | None = None
        self._unwanted = threading.Event()  # set by `discard`: stop reading, copy nothing
        self.made_folder = False

    def run(self) -> None:
        try:
            self._read()
            if self._unwanted.is_set():
                return
            if self.copy and not (self.folder / self.sha256).exists():
                self.made_folder = not self.folder.exists()
                self.folder.mkdir(parents=True, exist_ok=True)  # as `store.db.connect` makes the database's
                self.part = self.folder / f".{self.sha256}.{threading.get_ident()}.part"
                shutil.copyfile(self.path, self.part)
        except BaseException as exc:  # handed to the writer's thread by `result`
            self.error = exc

    def _read(self) -> None:
        digest, decoder, tail = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")(), b""
        blank_line = _BlankLines(_CHUNK + 2)
        with self.path.open("rb") as fh:
            chunk = fh.read(_CHUNK)
            self.blank_lines = chunk.removeprefix(b"\xef\xbb\xbf").startswith((b"\n", b"\r\n"))
            while chunk and not self._unwanted.is_set():
                following = fh.read(_CHUNK)
                digest.update(chunk)
                body = chunk if following else chunk.rstrip(b"\r\n")  # as the generic reader sees it
                # the chunk, and the bytes either side of where it meets the one before
                self.blank_lines = self.blank_lines or blank_line(body) or blank_line(tail + body[:2])
                self.quotes = self.quotes or b'"' in chunk
                # a whole chunk inside one line: DuckDB's reader drops a line longer than its buffer
                # without a word, so such a file goes the generic way
                self.long_lines = self.long_lines or (len(chunk) == _CHUNK and b"\n" not in chunk)
                pending = decoder.getstate()[0]  # a character the chunk before began
                if self.utf8 and (pending or not chunk.isascii()):
                    try:
                        decoder.decode(chunk, final=not following)
                    except UnicodeDecodeError:
                        self.utf8 = False
                chunk, tail = following, (tail + chunk)[-2:]
        self.sha256 = digest.hexdigest()

    def serves(self, path: Path, folder: Path) -> bool:
        """Whether this digest is of `path`, copying it into `folder`."""
        return self.path.resolve() == Path(path).resolve() and self.folder.resolve() == Path(folder).resolve()

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
        """Stop (the file is not needed, or no longer) and remove the copy, if one was made."""
        self._unwanted.set()
        self.join()
        if self.part is not None:
            self.part.unlink(missing_ok=True)
            self.part = None
            if self.made_folder:  # nothing else was kept there meanwhile: the folder goes too
                with contextlib.suppress(OSError):
                    self.folder.rmdir()
