"""Problems, warnings and the error tree of loading.

    LoadError                 a file that cannot be loaded at all (raised, caught once in the pipeline)
    ├── UnreadableFile        not a CSV or workbook we can read (empty, binary, a text file named .xlsx ...)
    ├── UnknownDataset        no sheet matches a dataset; says which datasets exist and what was found
    └── BadOption             a command-line or form option is invalid (bad --as-of, unknown --dataset)

Row-level findings are not exceptions: validation collects every one of them as a `Message`, with the
file, sheet, row and column as the user sees them, the bad value and what was expected. Of one kind (the
same code in the same column of a sheet) the first `LISTED` rows are listed one by one and the rest are
counted in one more message (`more`): a file wrong in every one of a million rows is refused as quickly,
and in as little memory, as one wrong in ten thousand.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "LISTED",
    "BadOption",
    "LoadError",
    "Message",
    "UnknownDataset",
    "UnreadableFile",
    "bounded",
    "counted",
    "more_of",
]

LISTED = 10_000  # messages of one kind (code and column) of a sheet listed one by one


class Message(BaseModel):
    """One problem (blocks the file) or warning (kept with the import) found while loading."""

    model_config = ConfigDict(frozen=True)

    severity: Literal["problem", "warning"]
    code: str
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    text: str = ""
    more: int = 0  # rows of this kind beyond the listed ones, counted here (no row of its own)

    @property
    def stands_for(self) -> int:
        """How many problems or warnings this message counts for."""
        return self.more or 1

    def describe(self) -> str:
        """One line a user can act on."""
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        parts = [", ".join(where) + f": {self.code}"]
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        if self.expected:
            parts.append(f"expected {self.expected}")
        if self.text:
            parts.append(self.text)
        return " — ".join(parts)


def counted(messages: list[Message], severity: str) -> int:
    """Problems (or warnings) among `messages`, the counted ones included."""
    return sum(m.stands_for for m in messages if m.severity == severity)


def more_of(first: Message, more: int) -> Message:
    """The message that counts `more` further rows of `first`'s kind, beyond the listed ones."""
    kind = "problem" if first.severity == "problem" else "warning"
    return first.model_copy(
        update={
            "row": None,
            "value": None,
            "more": more,
            "text": f"{more:,} more row(s) with this {kind} in this column, counted but not listed "
            f"(the first {LISTED:,} are)",
        }
    )


def bounded(messages: list[Message]) -> list[Message]:
    """`messages` with at most `LISTED` of each kind (severity, code, column); the rest of a kind counted
    in one message after its listed ones. Messages that count rows already are kept as they are."""
    seen: dict[tuple, int] = {}
    over: dict[tuple, list] = {}
    out: list[Message] = []
    for m in messages:
        kind = (m.severity, m.code, m.sheet, m.column)
        if m.more or m.row is None:
            out.append(m)
            continue
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= LISTED:
            out.append(m)
        else:
            over.setdefault(kind, [m, 0])[1] += 1
    if not over:
        return messages
    for first, more in over.values():
        out.append(more_of(first, more))
    return out


class LoadError(Exception):
    """A whole file cannot be loaded; `code` is the problem code shown to the user."""

    code = "load_error"

    def __init__(self, text: str, *, file: str = "", sheet: str | None = None) -> None:
        super().__init__(text)
        self.text, self.file, self.sheet = text, file, sheet

    def message(self) -> Message:
        return Message(severity="problem", code=self.code, file=self.file, sheet=self.sheet, text=self.text)


class UnreadableFile(LoadError):
    code = "unreadable_file"


class UnknownDataset(LoadError):
    code = "unknown_dataset"


class BadOption(LoadError):
    code = "bad_option"
