"""Dataset contracts: the declared shape of every input (fields, aliases, kinds, vocabularies, key).

A contract is declared once and drives header matching, validation, the database columns, the
templates and the README's column tables. Aliases match case-, space- and punctuation-insensitively;
the first alias in a field's list wins when several headers match.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CONTRACTS", "Contract", "FieldSpec", "norm", "register"]

Kind = Literal["text", "requirement", "enum", "date", "datetime", "number", "integer", "bool"]


def norm(text: object) -> str:
    """Case-, space- and punctuation-insensitive form of a header or vocabulary word."""
    return re.sub(r"[\W_]+", "", str(text).casefold())


class FieldSpec(BaseModel):
    """One field of a dataset."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: Kind = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    vocabulary: str | None = None  # name in loaders.vocab.VOCABULARIES, for enum and bool fields
    code: str | None = None  # problem code for a value of the wrong kind (default by kind)
    description: str = ""
    example: str = ""

    @property
    def problem_code(self) -> str:
        if self.code:
            return self.code
        return {
            "enum": f"unknown_{self.name}",
            "bool": f"unknown_{self.name}",
            "date": "bad_date",
            "datetime": "bad_date",
            "number": "bad_number",
            "integer": "bad_number",
            "requirement": "unknown_requirement",
        }.get(self.kind, "bad_value")

    def alias_keys(self) -> list[str]:
        return list(self.header_keys)

    @cached_property
    def header_keys(self) -> tuple[str, ...]:
        """`norm` of the name and each alias, in order, once each (a header matches the first it can)."""
        keys = [norm(self.name)] + [norm(a) for a in self.aliases]
        return tuple(dict.fromkeys(k for k in keys if k))


class Contract(BaseModel):
    """The declared input shape of one dataset."""

    model_config = ConfigDict(frozen=True)

    dataset: str
    title: str
    semantics: Literal["snapshot", "record"]
    fields: tuple[FieldSpec, ...]
    key: tuple[str, ...]
    as_of_aliases: tuple[str, ...] = Field(
        default=("As of", "As-of date", "Assessment date", "Snapshot date")
    )

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def required(self) -> list[FieldSpec]:
        return [f for f in self.fields if f.required]


CONTRACTS: dict[str, Contract] = {}


def register(contract: Contract) -> Contract:
    """Add a contract to the registry (each dataset module calls this once)."""
    CONTRACTS[contract.dataset] = contract
    return contract
