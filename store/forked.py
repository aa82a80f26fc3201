"""`store.digest.Digest`'s work in a child process, forked when `aims load` starts (`ForkedDigest`).

A large file is hashed, checked and cut into pieces while the program loads its modules. In a thread that
work waits for the interpreter lock, which loading modules holds nearly throughout: the cut of a 5M-row
file then took until the load was ready to read it, and most of the hashing was left for the read, where
DuckDB wants both cores. A child forked before the program loads anything heavy has a lock of its own,
and loads NumPy itself. It reports to the program through a pipe (`split`, `checked`, `fed`, `done`) and
takes two commands (`copy`, `discard`); the pieces' pipes are made here, so that DuckDB opens their
read ends under this process's `/proc/self/fd`.

No NumPy and no DuckDB here: importing this module is the cheap part of a start. POSIX only
(`available`); elsewhere `aims load` hashes in a thread.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
from pathlib import Path

__all__ = ["EARLY_MIN_BYTES", "FD_PATHS", "PIPE_BYTES", "ForkedDigest", "Keeping", "available", "make_pipe"]

EARLY_MIN_BYTES = 8 << 20  # a file this large is worth hashing while the program is still starting
FD_PATHS = Path("/proc/self/fd")  # where an open file without a name (a pipe's read end) can be opened
PIPE_BYTES = 1 << 20  # the most a pipe holds by default settings (`/proc/sys/fs/pipe-max-size`)


def available() -> bool:
    """Whether this system forks, and pipes can take a file's pages (`os.splice`) and be opened by name."""
    return hasattr(os, "fork") and hasattr(os, "splice") and FD_PATHS.is_dir()


def make_pipe() -> tuple[int, int]:
    """A pipe (read end, write end) that holds a mebibyte where the system lets it (fewer, larger moves)."""
    import fcntl  # POSIX only, as `os.splice`, which fills these pipes

    read, write = os.pipe()
    with contextlib.suppress(OSError):
        fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    return read, write


class Keeping:
    """What both digests (`store.digest.Digest`, `ForkedDigest`) do alike once they have their results:
    say whether they serve a file and folder, and keep the copy."""

    path: Path
    folder: Path
    sha256: str
    part: Path | None

    def serves(self, path: Path, folder: Path) -> bool:
        """Whether this digest is of `path`, copying it into `folder`."""
        return self.path.resolve() == Path(path).resolve() and self.folder.resolve() == Path(folder).resolve()

    def keep(self) -> None:
        """Move the copy to its place (the name is the content's digest, so a copy already there stays)."""
        self.drop_split()
        self.result()
        if self.part is not None:
            self.part.replace(self.folder / self.sha256)
            self.part = None

    def drop_split(self) -> None:
        raise NotImplementedError

    def result(self) -> Keeping:
        raise NotImplementedError


class _PipedSplit:
    """The program's side of a file cut in the child (`store.digest.Split`'s methods)."""

    def __init__(self, owner: ForkedDigest, lines: list[int], ends: list[int]):
        self._owner, self.lines, self._ends = owner, lines, ends

    @property
    def paths(self) -> list[str]:
        return [str(FD_PATHS / str(fd)) for fd in self._ends]

    def whole(self) -> bool:
        """Once the reads of the pieces are over: closes the pipes and says whether every piece went into
        its pipe to its last byte."""
        self.close()
        self._owner._events["fed"].wait()
        return self._owner._fed

    def close(self) -> None:
        for fd in self._ends:
            os.close(fd)
        self._ends = []


class ForkedDigest(Keeping):
    """`store.digest.Digest`'s results and methods, the work done by a child process (`start` forks it)."""

    def __init__(self, path: Path, folder: Path, *, pieces: int = 1):
        self.path, self.folder, self.pieces = Path(path), Path(folder), pieces
        self.sha256 = ""
        self.utf8, self.blank_lines, self.odd_quotes, self.long_lines = True, False, False, False
        self.part: Path | None = None
        self.made_folder = False
        self.error: BaseException | None = None
        self._events = {kind: threading.Event() for kind in ("split", "checked", "fed", "done")}
        self._lines: list[int] | None = None
        self._fed = False
        self._ends: list[int] = []
        self._split: _PipedSplit | None = None
        self._commands: int | None = None
        self.pid: int | None = None  # the child's
        self._sent: set[str] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        """Fork the child. Call it before the program starts threads or opens a database."""
        pipes = [make_pipe() for _ in range(self.pieces - 1)]
        commands, results = os.pipe(), os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in [*sum(pipes, ()), *commands, *results]:
                os.close(fd)
            raise
        if pid == 0:  # the child: it never returns into the program
            code = 1
            try:
                # Ctrl-C reaches the whole process group: the program decides, and tells the child
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                for fd in [read for read, _ in pipes] + [commands[1], results[0]]:
                    os.close(fd)
                _serve(self.path, self.folder, [write for _, write in pipes], commands[0], results[1])
                code = 0
            except BaseException:  # a fault of this module's: the program is told the child ended early
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        for fd in [write for _, write in pipes] + [commands[0], results[1]]:
            os.close(fd)
        self.pid = pid
        self._ends = [read for read, _ in pipes]
        self._commands = commands[1]
        threading.Thread(target=self._listen, args=(results[0],), daemon=True).start()

    def _listen(self, fd: int) -> None:
        with os.fdopen(fd, "rb") as stream:
            while True:
                try:
                    kind, data = pickle.load(stream)
                except (EOFError, OSError, pickle.UnpicklingError):
                    break
                if kind == "split":
                    self._lines = data
                elif kind == "checked":
                    checks, self.error = data
                    self.sha256, self.utf8, self.blank_lines, self.odd_quotes, self.long_lines = checks
                elif kind == "fed":
                    self._fed = data
                elif kind == "done":
                    part, self.made_folder, error = data
                    self.part = None if part is None else Path(part)
                    self.error = self.error or error
                self._events[kind].set()
        if not self._events["done"].is_set() and self.error is None:
            self.error = RuntimeError("the process that hashes the file ended before it was done")
        for event in self._events.values():
            event.set()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)

    def _send(self, command: str) -> None:
        with self._lock:
            if command in self._sent or self._commands is None:
                return
            self._sent.add(command)
            with contextlib.suppress(OSError):  # the child has ended: `done` says how
                os.write(self._commands, f"{command}\n".encode())

    # --- `store.digest.Digest`'s methods --------------------------------------------------------------

    def split(self) -> _PipedSplit | None:
        self._events["split"].wait()
        with self._lock:
            if self._lines is None:
                self._close_ends()
                return None
            if self._split is None:
                self._split = _PipedSplit(self, self._lines, self._ends)
                self._ends = []
            return self._split

    def drop_split(self) -> None:
        self._events["split"].wait()
        with self._lock:
            if self._split is not None:
                self._split.close()
            self._close_ends()

    def _close_ends(self) -> None:
        for fd in self._ends:
            os.close(fd)
        self._ends = []

    def checked(self) -> ForkedDigest:
        self._events["checked"].wait()
        if self.error is not None:
            raise self.error
        return self

    def copy_now(self) -> None:
        self._send("copy")

    def result(self) -> ForkedDigest:
        self.copy_now()
        self._events["done"].wait()
        if self.error is not None:
            raise self.error
        return self

    def discard(self) -> None:
        """Stop the child (it removes a copy it made, and a folder it made for it)."""
        self.drop_split()
        self._send("discard")
        self._events["done"].wait()
        if self.part is not None:  # a copy the child finished before it heard
            self.part.unlink(missing_ok=True)
            self.part = None
            if self.made_folder:
                with contextlib.suppress(OSError):
                    self.folder.rmdir()


def _serve(path: Path, folder: Path, pipes: list[int], commands: int, results: int) -> None:
    """The child: `store.digest.Digest` in a thread, its results sent as they come, its commands taken."""
    from .digest import Digest

    out = os.fdopen(results, "wb")
    lock = threading.Lock()

    def send(kind: str, data) -> None:
        with lock:
            try:
                pickle.dump((kind, data), out)
                out.flush()
            except OSError:  # the program has ended
                pass

    def portable(error: BaseException | None) -> BaseException | None:
        try:
            pickle.loads(pickle.dumps(error))
        except Exception:
            return RuntimeError(repr(error))
        return error

    digest = Digest(path, folder, pieces=len(pipes) + 1, pipes=pipes or None)
    digest.start()

    def listen() -> None:
        with os.fdopen(commands, "rb") as stream:
            for line in stream:
                if line != b"copy\n":
                    break  # `discard`
                digest.copy_now()
        digest.stop()  # also when the program has ended (the pipe closed) without a word

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    split = digest.split()
    if split is None:  # not cut: the pipes were not handed on
        for fd in pipes:
            os.close(fd)
    send("split", None if split is None else split.lines)
    fed = None
    if split is not None:
        fed = threading.Thread(target=lambda: send("fed", split.whole()), daemon=True)
        fed.start()
    digest.known()
    checks = (digest.sha256, digest.utf8, digest.blank_lines, digest.odd_quotes, digest.long_lines)
    send("checked", (checks, portable(digest.error)))
    digest.join()
    part = None if digest.part is None else str(digest.part)
    send("done", (part, digest.made_folder, portable(digest.error)))
    listener.join()  # the program's last word: `discard`, or its end
    if digest.part is not None:  # a copy the program did not take (it renames the one it keeps)
        digest.part.unlink(missing_ok=True)
        if digest.made_folder:
            with contextlib.suppress(OSError):
                digest.folder.rmdir()
    if fed is not None:
        fed.join()  # the program closes the pipes (or ends) before it says its last word
