"""Write the demo organisation's files: `python -m demo.generate [--out DIR]` (default `data/demo/`).

Deterministic: every random choice comes from generators seeded from `demo.common.SEED`, workbooks are
written by xlsxwriter with fixed document properties and zip timestamps, CSVs are UTF-8 with '\\n' line
endings. Regenerating gives the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .common import DEFAULT_OUT
from .findings import write_findings
from .incidents import write_incidents
from .inventory import write_inventory
from .monitoring import write_monitoring
from .risks import write_risks
from .soa import write_soa

WRITERS = (write_soa, write_inventory, write_risks, write_incidents, write_findings, write_monitoring)


def generate(out: Path) -> list[Path]:
    """Write every demo file into `out` (created when missing); return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for write in WRITERS:
        paths.extend(write(out))
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: data/demo)")
    args = parser.parse_args(argv)
    paths = generate(args.out)
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
