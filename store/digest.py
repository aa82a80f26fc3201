"""The bytes of a file the bulk path loads (`store.bulk`), read once in a thread while DuckDB reads it:
its sha256 (the name it is kept under), whether it is UTF-8 throughout, has blank lines, a line with an
odd number of quotes (a quoted field that may span lines) or lines over a mebibyte, and a copy of it next
to the database.

Before that, a large CSV file is cut into pieces at line ends (`Split`): DuckDB numbers the rows of a
read only when one thread does the read, so the file is read in as many parts as DuckDB has threads, and
a part that began with `skip` would first scan every line before it (0.3 s of CPU at 2.5M lines). Each
piece but the first reaches its part through a pipe, from its first line.

A copy rather than a hard link: a linked "original" would change with the user's file if it were edited
in place, and the kept file is what an auditor is shown. hashlib, file I/O and NumPy let go of the GIL,
which DuckDB's threads take now and then.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import shutil
import threading
from pathlib import Path

import numpy as np

from .forked import FD_PATHS as _FD_PATHS
from .forked import PIPE_BYTES as _PIPE
from .forked import Keeping, make_pipe

__all__ = ["SPLIT_MIN_BYTES", "Digest", "Split"]

_CHUNK = 1 << 20
SPLIT_MIN_BYTES = 16 << 20  # a CSV file this large is cut into pieces for reading in parts


class Split:
    """A file cut at line ends: piece i + 1 (of `len(lines) + 1`) begins after `lines[i]` lines, and a
    thread feeds its bytes into a pipe that DuckDB reads at `paths[i]` (the first piece is read from the
    file itself). The kernel moves the pages from the file into the pipe without copying them. The pipes
    are made here, or given (their write ends) by a process that reads them (`store.forked`)."""

    def __init__(self, fd: int, lines: list[int], cuts: list[int], size: int, pipes: list[int] | None = None):
        self.lines = lines
        self._ends: list[int] = []  # the pipes' read ends (none when `pipes`, write ends, are given)
        self._fed = [False] * len(cuts)  # whether each piece went into its pipe whole
        writes = pipes if pipes is not None else []
        try:
            if pipes is None:
                for _ in cuts:
                    read, write = make_pipe()
                    self._ends.append(read)
                    writes.append(write)
            sources = [os.dup(fd) for _ in cuts]  # the file as opened for the cut, even if renamed since
        except OSError:
            for end in [] if pipes is not None else [*self._ends, *writes]:  # given ones stay the giver's
                os.close(end)
            raise
        ranges = zip(cuts, [*cuts[1:], size], strict=True)
        self._feeders = [
            threading.Thread(target=self._feed, args=(i, source, start, end, write), daemon=True)
            for i, ((start, end), write, source) in enumerate(zip(ranges, writes, sources, strict=True))
        ]
        for feeder in self._feeders:
            feeder.start()

    @property
    def paths(self) -> list[str]:
        return [str(_FD_PATHS / str(fd)) for fd in self._ends]

    def whole(self) -> bool:
        """Once the reads of the pieces are over: closes the pipes and says whether every piece went into
        its pipe to its last byte (a file cut short while it was read, or one that could not be read, is
        not)."""
        self.close()
        for feeder in self._feeders:
            feeder.join()
        return all(self._fed)

    def close(self) -> None:
        """Close the read ends: a feeder whose piece was not read to its end stops."""
        for fd in self._ends:
            os.close(fd)
        self._ends = []

    def _feed(self, i: int, source: int, start: int, end: int, pipe: int) -> None:
        try:
            while start < end:
                moved = os.splice(source, pipe, min(end - start, _PIPE), offset_src=start)
                if not moved:  # the file is shorter than it was
                    return
                start += moved
            self._fed[i] = True
        except OSError:  # nobody reads any more (`close`), or the file cannot be read
            pass
        finally:
            os.close(pipe)
            os.close(source)


def _cut(path: Path, pieces: int, pipes: list[int] | None = None) -> Split | None:
    """`path` cut into `pieces` of about equal size at line ends, with the lines before each cut counted
    (NumPy over one reused buffer: 0.05 s for 160 MB); None when the file is small, when a line count
    could be wrong for DuckDB's reader (a quote: a quoted field may span lines; a carriage return without
    a line feed, which DuckDB also ends a line with), no line ends near a cut, or the system has no
    pipes to move a file's pages into (`os.splice`) or no names for them."""
    size = path.stat().st_size
    if pieces < 2 or size < SPLIT_MIN_BYTES or not _FD_PATHS.is_dir() or not hasattr(os, "splice"):
        return None
    try:
        with path.open("rb", buffering=0) as fh:
            cuts = []
            for i in range(1, pieces):
                fh.seek(size * i // pieces)
                end = fh.read(_CHUNK).find(b"\n")
                if end < 0:
                    return None
                cuts.append(size * i // pieces + end + 1)
            if any(b <= a for a, b in zip([0, *cuts], [*cuts, size], strict=True)):
                return None
            lines = _count_lines(fh, cuts)
            return None if lines is None else Split(fh.fileno(), lines, cuts, size, pipes)
    except OSError:
        return None


def _count_lines(fh, cuts: list[int]) -> list[int] | None:
    """Line feeds before each of `cuts` (byte offsets, rising); None at a line with an odd number of
    quotes (a quoted field that may span lines) or a lone carriage return before the last cut."""
    buffer = bytearray(16 * _CHUNK)  # few steps: while the program starts, each waits for the GIL
    view, codes = memoryview(buffer), np.frombuffer(buffer, np.uint8)
    feeds = np.empty(len(buffer), np.bool_)
    fh.seek(0)
    at, count, lines, carried_cr, quotes = 0, 0, [], False, 0
    for cut in cuts:
        while at < cut:
            n = fh.readinto(view[: min(len(buffer), cut - at)])
            if not n:
                return None
            np.equal(codes[:n], 10, out=feeds[:n])
            if quotes or buffer.find(b'"', 0, n) >= 0:
                odd, quotes = _odd_quotes(codes[:n], feeds[:n], quotes)
                if odd:
                    return None
            if carried_cr and buffer[0] != 10:
                return None
            carried_cr = False
            if buffer.find(b"\r", 0, n) >= 0:
                returns, pairs = buffer.count(b"\r", 0, n), buffer.count(b"\r\n", 0, n)
                carried_cr = buffer[n - 1] == 13
                if returns - pairs - carried_cr:
                    return None
            count += int(np.count_nonzero(feeds[:n]))
            at += n
        lines.append(count)
    return lines if not carried_cr else None


def _odd_quotes(codes: np.ndarray, feeds: np.ndarray, carried: int) -> tuple[bool, int]:
    """Whether a line that ends in `codes` (a chunk of a file; `feeds`: where its line feeds are) holds
    an odd number of quotes, `carried` (0 or 1) being the parity of those before the chunk; and the
    parity after it. Where every line holds an even number (escaped quotes come in pairs), no quoted
    field spans lines, so the file's lines are its records."""
    quotes = np.flatnonzero(codes == 34)
    before = np.searchsorted(quotes, np.flatnonzero(feeds))  # the quotes before each line feed
    return bool(((before + carried) & 1).any()), (carried + quotes.size) & 1


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


class Digest(Keeping, threading.Thread):
    """sha256 of a file, whether it is UTF-8, has blank lines, a line with an odd number of quotes (a
    quoted field that may span lines) or lines over a mebibyte; then
    (`keep`, unless a dry run) a copy of it next to the database under `<folder>/.<sha>.<thread>.part`.
    First, when asked for `pieces` > 1, the file cut for reading in parts (`split`), into `pipes` (write
    ends) when given."""

    def __init__(
        self, path: Path, folder: Path, *, keep: bool = True, pieces: int = 1, pipes: list[int] | None = None
    ):
        super().__init__(daemon=True)
        self.path, self.folder, self.copy, self.pieces, self.pipes = path, folder, keep, pieces, pipes
        self._split: Split | None = None
        self._split_made = threading.Event()
        self.sha256 = ""
        self.utf8, self.blank_lines, self.odd_quotes, self.long_lines = True, False, False, False
        self.part: Path | None = None
        self.error: BaseException | None = None
        self._unwanted = threading.Event()  # set by `discard`: stop reading, copy nothing
        self._read_done = threading.Event()  # the digest and the checks are known
        self._copy_now = threading.Event()  # set by `copy_now`, `result` or `discard`
        self.made_folder = False

    def run(self) -> None:
        try:
            try:
                if self.pieces > 1:
                    self._split = _cut(self.path, self.pieces, self.pipes)
            finally:
                self._split_made.set()
            try:
                self._read()
            finally:
                self._read_done.set()
            if self._unwanted.is_set():
                return
            if self.copy and not (self.folder / self.sha256).exists():
                self._copy_now.wait()
                if self._unwanted.is_set():
                    return
                self.made_folder = not self.folder.exists()
                self.folder.mkdir(parents=True, exist_ok=True)  # as `store.db.connect` makes the database's
                self.part = self.folder / f".{self.sha256}.{threading.get_ident()}.part"
                shutil.copyfile(self.path, self.part)
        except BaseException as exc:  # handed to the writer's thread by `result`
            self.error = exc

    def _read(self) -> None:
        digest, decoder, tail = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")(), b""
        blank_line = _BlankLines(_CHUNK + 2)
        quotes = 0  # the parity of the quotes read so far
        with self.path.open("rb") as fh:
            chunk = fh.read(_CHUNK)
            self.blank_lines = chunk.removeprefix(b"\xef\xbb\xbf").startswith((b"\n", b"\r\n"))
            while chunk and not self._unwanted.is_set():
                following = fh.read(_CHUNK)
                digest.update(chunk)
                body = chunk if following else chunk.rstrip(b"\r\n")  # as the generic reader sees it
                # the chunk, and the bytes either side of where it meets the one before
                self.blank_lines = self.blank_lines or blank_line(body) or blank_line(tail + body[:2])
                if not self.odd_quotes and (quotes or b'"' in chunk):
                    codes = np.frombuffer(chunk, np.uint8)
                    self.odd_quotes, quotes = _odd_quotes(codes, codes == 10, quotes)
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

    def split(self) -> Split | None:
        """The file cut into pieces (made before the hashing begins), or None."""
        self._split_made.wait()
        return self._split

    def drop_split(self) -> None:
        """Close the pieces' pipes, once nothing reads them."""
        self._split_made.wait()
        if self._split is not None:
            self._split.close()
            self._split = None

    def known(self) -> None:
        """Wait until the file is hashed and checked, or the reading failed (`error`)."""
        self._read_done.wait()

    def checked(self) -> Digest:
        """This digest once the file is hashed and checked (the copy may still be on its way)."""
        self.known()
        if self.error is not None:
            raise self.error
        return self

    def copy_now(self) -> None:
        """Let the copy begin: it waits for this while DuckDB reads the file on every core, where it would
        only take time from the read; after the read, the checks leave a core to it."""
        self._copy_now.set()

    def result(self) -> Digest:
        """This digest once the file is hashed, checked and copied."""
        self._copy_now.set()
        self.join()
        if self.error is not None:
            raise self.error
        return self

    def stop(self) -> None:
        """Stop reading, and copy nothing (more)."""
        self._unwanted.set()
        self._copy_now.set()

    def discard(self) -> None:
        """Stop (the file is not needed, or no longer) and remove the copy, if one was made."""
        self.stop()
        self.join()
        self.drop_split()
        if self.part is not None:
            self.part.unlink(missing_ok=True)
            self.part = None
            if self.made_folder:  # nothing else was kept there meanwhile: the folder goes too
                with contextlib.suppress(OSError):
                    self.folder.rmdir()
