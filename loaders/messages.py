"""Problems, warnings and the error tree of loading.

    LoadError                 a file that cannot be loaded at all (raised, caught once in the pipeline)
    ├── UnreadableFile        not a CSV or workbook we can read (empty, binary, a text file named .xlsx ...)
    ├── UnknownDataset        no sheet matches a dataset; says which datasets exist and what was found
    └── BadOption             a command-line or form option is invalid (bad --as-of, unknown --dataset)

Row-level findings are not exceptions: validation collects every one of them as a `Message`, with the
file, sheet, row and column as the user sees them, the bad value and what was expected.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["BadOption", "LoadError", "Message", "UnknownDataset", "UnreadableFile"]


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
