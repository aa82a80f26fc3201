"""Workbooks of another framework than ISO/IEC 42001: recognised so their refusal can say what they are.

- NIST CSF 2.0 requirement ids (`GV.OC-01`, `PR.AA-01.1`), e.g. the CyberFundamentals (CyFun®)
  self-assessment workbook (sheets GOVERN … RECOVER, documentation and implementation maturity 1-5);
- ISO/IEC 27001:2022 Annex A ids (`A.5.1` … `A.8.34`, or `5.1` … `8.34`) that ISO/IEC 42001 does not
  have (`A.5.23`, `8.34` …), outnumbering the ISO/IEC 42001 ids in the same column.

Nothing of these maps onto ISO/IEC 42001 clauses or Annex A controls without a mapping the file does not
carry, so they are refused (never loaded as controls with made-up ids).
"""

from __future__ import annotations

import re

from ._base import Format, Refused, Staged, Tables, iso42001_id

_NIST = re.compile(r"\b(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}(?:\.\d+)?\b")
_NIST_REQUIREMENT = re.compile(r"^\s*((?:GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}\.\d+)\s*:")
_ISO27001 = re.compile(r"^(?:A\.?)?([5-8])\.(\d{1,2})$", re.I)
_RANGES = {5: 37, 6: 8, 7: 14, 8: 34}


def _nist_cells(tables: Tables) -> int:
    return sum(1 for s in tables.sheets for _, cells in s.head for c in cells if c and _NIST.search(c))


def _iso27001_column(tables: Tables):
    for sheet in tables.sheets:
        width = max((len(c) for _, c in sheet.head), default=0)
        for j in range(width):
            values = [cells[j] for _, cells in sheet.head if j < len(cells) and cells[j]]
            foreign = [
                v
                for v in values
                if (m := _ISO27001.match(v.strip()))
                and int(m[2]) <= _RANGES[int(m[1])]
                and not iso42001_id(v, ("subclause", "control", "clause", "objective"))
            ]
            ours = [v for v in values if iso42001_id(v)]
            if len(foreign) >= 5 and len(foreign) > len(ours):
                return sheet, foreign
    return None


def _recognise(tables: Tables) -> bool:
    return _nist_cells(tables) >= 5 or _iso27001_column(tables) is not None


def refuse(tables: Tables, options) -> list[Staged]:
    names = [s.name for s in tables.sheets if s.name]
    if _nist_cells(tables) >= 5:
        requirements = {
            m[1]
            for s in tables.sheets
            for _, cells in s.rows
            for c in cells
            if c and (m := _NIST_REQUIREMENT.match(c))
        }
        sheets = [
            s.name for s in tables.sheets if any(c and _NIST.search(c) for _, cells in s.head for c in cells)
        ]
        cyfun = any(
            c and "cyfun" in c.lower() for s in tables.sheets for _, cells in s.head[:3] for c in cells
        )
        what = (
            "a CyberFundamentals (CyFun®) self-assessment workbook"
            if cyfun
            else "a NIST Cybersecurity Framework (CSF 2.0) workbook"
        )
        raise Refused(
            f"{what}: {len(requirements) or 'its'} requirements with NIST CSF ids (GV.OC-01.1 …) in sheets "
            f"{', '.join(sheets)}, scored for documentation and implementation maturity. That is another "
            "framework than ISO/IEC 42001: no column names an ISO/IEC 42001 clause (4.1-10.2) or Annex A "
            "control (A.2.2-A.10.4), so nothing can be loaded as controls; missing: requirement_id of ISO/IEC "
            f"42001 (sheets: {', '.join(names)})"
        )
    sheet, foreign = _iso27001_column(tables)
    raise Refused(
        f"an ISO/IEC 27001:2022 Statement of Applicability or control list (sheet {sheet.name or '-'}: Annex A "
        f"ids such as {', '.join(foreign[:4])} that ISO/IEC 42001 does not have). The controls dataset holds "
        "ISO/IEC 42001 clauses (4.1-10.2) and Annex A controls (A.2.2-A.10.4); missing: requirement ids of "
        "ISO/IEC 42001"
    )


FORMATS = [
    Format(
        "other-framework",
        "Workbook of another framework (NIST CSF / CyFun, ISO/IEC 27001; refused)",
        "table",
        (),
        _recognise,
        refuse,
    )
]
