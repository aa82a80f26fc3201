"""One module per dataset: its contract and the checks that only make sense for it.

Importing this package registers every contract in `loaders.contracts.CONTRACTS` and every extra check
in `CHECKS` (dataset -> function(con, typed_table, ctx) -> list[Message]).
"""

from __future__ import annotations

from . import controls

CHECKS = {
    "controls": controls.check,
}

__all__ = ["CHECKS", "controls"]
