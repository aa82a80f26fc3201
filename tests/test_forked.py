"""The digest in a process of its own (`store.forked.ForkedDigest`): the same results as the digest in a
thread (`store.digest.Digest`), the same pieces for DuckDB, the copy kept or nothing left, and no process
left behind, whatever the program does or however it ends."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import duckdb
import pytest

from store import digest as threaded
from store.forked import ForkedDigest, available

pytestmark = pytest.mark.skipif(not available(), reason="needs fork, os.splice and /proc/self/fd")


def _ended(pid: int, within: float = 10.0) -> bool:
    """Whether the process `pid` has ended (gone, or a zombie its new parent has not reaped yet) within
    `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.02)
    return False


def _points(path: Path, lines: int) -> Path:
    path.write_bytes(b"a,b\n" + b"".join(b"%d,%d\n" % (i, i * 7) for i in range(lines)))
    return path


def _forked(path: Path, folder: Path, pieces: int) -> ForkedDigest:
    digest = ForkedDigest(path, folder, pieces=pieces)
    digest.start()
    return digest


def test_the_same_results_and_pieces_as_the_digest_in_a_thread(tmp_path, monkeypatch):
    monkeypatch.setattr(threaded, "SPLIT_MIN_BYTES", 0)  # the child was forked from this process
    path = _points(tmp_path / "points.csv", 300_000)
    forked = _forked(path, tmp_path / "kept", pieces=3)
    split = forked.split()
    assert split is not None and len(split.paths) == 2
    reference = threaded._cut(path, 3)
    try:
        assert split.lines == reference.lines
    finally:
        reference.close()
    # DuckDB reads each piece from its pipe: together with the lines before the first cut, the whole file
    with duckdb.connect() as con:
        counts = [
            con.execute(
                "select count(*) from read_csv(?, header = false, columns = {'a': 'bigint', 'b': 'bigint'})",
                [p],
            ).fetchone()[0]
            for p in split.paths
        ]
    assert split.lines[0] - 1 + sum(counts) == 300_000 and split.whole()
    assert forked.checked().sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (forked.utf8, forked.blank_lines, forked.odd_quotes, forked.long_lines) == (
        True,
        False,
        False,
        False,
    )
    assert not (tmp_path / "kept").exists()  # checked, not yet copied
    forked.keep()
    assert [p.name for p in (tmp_path / "kept").iterdir()] == [forked.sha256]
    assert (tmp_path / "kept" / forked.sha256).read_bytes() == path.read_bytes()
    forked.discard()  # after keep: nothing more
    assert (tmp_path / "kept" / forked.sha256).exists()
    assert _ended(forked.pid)


@pytest.mark.parametrize(
    ("name", "content", "flags"),
    [
        ("blank", b"a,b\n1,2\n\n3,4\n", {"blank_lines": True}),
        ("latin1", b"a,b\n1,caf\xe9\n", {"utf8": False}),
        ("quotes", b'a,b\n1,"two\nlines"\n', {"odd_quotes": True}),
        ("long", b"a\n" + b"x" * (3 << 20) + b"\n", {"long_lines": True}),
    ],
)
def test_each_file_check_says_what_the_digest_in_a_thread_says(name, content, flags, tmp_path):
    path = tmp_path / f"{name}.csv"
    path.write_bytes(content)
    forked = _forked(path, tmp_path / "kept", pieces=2)
    reference = threaded.Digest(path, tmp_path / "other", keep=False)
    reference.start()
    reference.checked()
    checks = ("sha256", "utf8", "blank_lines", "odd_quotes", "long_lines")
    expected = {"utf8": True, "blank_lines": False, "odd_quotes": False, "long_lines": False} | flags
    assert {c: getattr(forked.checked(), c) for c in checks} == {c: getattr(reference, c) for c in checks}
    assert {c: getattr(forked, c) for c in expected} == expected
    assert forked.split() is None  # a small file is not cut; its pipes are closed
    forked.discard()
    reference.discard()
    assert not (tmp_path / "kept").exists() and _ended(forked.pid)


def test_a_discarded_digest_leaves_nothing_and_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(threaded, "SPLIT_MIN_BYTES", 0)
    path = _points(tmp_path / "points.csv", 200_000)
    early = _forked(path, tmp_path / "early", pieces=2)
    early.discard()  # before it was asked for anything: the pieces never read
    assert not (tmp_path / "early").exists() and _ended(early.pid)

    copied = _forked(path, tmp_path / "copied", pieces=2)
    copied.drop_split()
    copied.result()  # copied, then not wanted (a refused file)
    assert copied.part is not None and copied.part.exists()
    copied.discard()
    assert not (tmp_path / "copied").exists() and _ended(copied.pid)


def test_a_piece_cut_short_is_known_and_an_unreadable_file_raises_its_error(tmp_path, monkeypatch):
    monkeypatch.setattr(threaded, "SPLIT_MIN_BYTES", 0)
    path = tmp_path / "points.csv"
    whole = b"a,b\n" + b"12345,67890\n" * 700_000  # each piece more than a pipe holds
    path.write_bytes(whole)
    forked = _forked(path, tmp_path / "kept", pieces=2)
    split = forked.split()
    with path.open("r+b") as fh:
        fh.truncate(len(whole) * 3 // 4)
    received = Path(split.paths[0]).read_bytes()
    assert 0 < len(received) < len(whole) // 2 and not split.whole()
    forked.discard()
    assert _ended(forked.pid)

    missing = _forked(tmp_path / "gone.csv", tmp_path / "kept", pieces=1)
    with pytest.raises(FileNotFoundError):
        missing.checked()
    missing.discard()
    assert _ended(missing.pid)


def test_the_child_ends_and_removes_its_copy_when_the_program_is_gone(tmp_path, monkeypatch):
    """The program killed while the child waits to copy, or copies: the child hears its commands' pipe
    close, stops, removes what it copied and ends (a fork of this test plays the program)."""
    monkeypatch.setattr(threaded, "SPLIT_MIN_BYTES", 0)
    path = _points(tmp_path / "points.csv", 200_000)
    folder = tmp_path / "kept"
    reports = tmp_path / "child.pid"
    program = os.fork()
    if program == 0:  # the program: starts the digest, lets it copy, and dies without a word
        code = 1
        try:
            forked = _forked(path, folder, pieces=2)
            forked.drop_split()
            forked.copy_now()
            reports.write_text(str(forked.pid))
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(program, 0)
    assert status == 0
    child = int(reports.read_text())
    assert _ended(child)
    assert not folder.exists() or not any(folder.iterdir())
