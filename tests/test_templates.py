"""The dataset templates: generated from the contracts, and a filled-in one loads with zero problems."""

from __future__ import annotations

import io

import openpyxl
import pytest

from exports.templates import choices, file_name, header, template_bytes, write_templates
from loaders.contracts import CONTRACTS, norm
from loaders.pipeline import LoadOptions
from loaders.vocab import SPECS, lookup
from store.writer import load_file

DATASETS = sorted(CONTRACTS)


def _book(dataset: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(template_bytes(dataset)))


@pytest.mark.parametrize("dataset", DATASETS)
def test_the_example_row_loads_with_zero_problems(dataset, store, tmp_path):
    path = tmp_path / file_name(dataset)
    path.write_bytes(template_bytes(dataset))
    result = load_file(store, path, LoadOptions())
    assert result.problems == [], [(m.code, m.column, m.value, m.expected) for m in result.problems]
    assert result.outcome == "loaded"
    (sheet,) = result.plan.sheets  # the Instructions sheet is skipped
    assert (sheet.dataset, sheet.rows) == (dataset, 1)
    assert set(sheet.mapping.values()) == {f.name for f in CONTRACTS[dataset].fields}
    assert [m.sheet for m in result.messages if m.code == "sheet_skipped"] == ["Instructions"]


@pytest.mark.parametrize("dataset", DATASETS)
def test_headers_are_accepted_aliases_and_the_example_is_filled_in(dataset):
    ws = _book(dataset).worksheets[0]
    contract = CONTRACTS[dataset]
    headers = [c.value for c in ws[1]]
    assert headers == [header(f) for f in contract.fields]
    for field, name in zip(contract.fields, headers, strict=True):
        assert norm(name) in field.alias_keys()
    required = [ws.cell(2, j + 1).value for j, f in enumerate(contract.fields) if f.required]
    assert all(v not in (None, "") for v in required)
    assert ws.freeze_panes == "A2"


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_vocabulary_has_a_drop_down_of_values_the_loader_accepts(dataset):
    ws = _book(dataset).worksheets[0]
    validations = {next(iter(dv.sqref.ranges)).min_col: dv for dv in ws.data_validations.dataValidation}
    for col, field in enumerate(CONTRACTS[dataset].fields, start=1):
        if not field.vocabulary:
            continue
        dv = validations[col]
        assert dv.type == "list" and dv.errorStyle == "warning", field.name
        listed = dv.formula1.strip('"').split(",")
        assert listed == choices(field)
        assert all(lookup(field.vocabulary, v) is not None for v in listed), field.name


def test_scales_and_statuses_list_their_canonical_values():
    controls = {f.name: f for f in CONTRACTS["controls"].fields}
    assert choices(controls["status"]) == [
        "implemented",
        "partially_implemented",
        "planned",
        "not_implemented",
        "not_assessed",
        "not_applicable",
    ]
    assert choices(controls["applicability"]) == ["applicable", "not_applicable"]
    risks = {f.name: f for f in CONTRACTS["risks"].fields}
    assert choices(risks["likelihood"])[0] == "1 - Rare" and choices(risks["impact"])[4] == "5 - Severe"
    incidents = {f.name: f for f in CONTRACTS["incidents"].fields}
    assert choices(incidents["severity"]) == ["critical", "high", "medium", "low"]


@pytest.mark.parametrize("dataset", DATASETS)
def test_instructions_list_every_field_its_aliases_and_values(dataset):
    ws = _book(dataset)["Instructions"]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
    for field in CONTRACTS[dataset].fields:
        row = rows[header(field)]
        assert row[1] == ("required" if field.required else "optional")
        assert row[2].startswith(f"{field.name}:")
        for alias in field.aliases[1:]:
            assert alias in row[5]
        for canonical, spellings in SPECS.get(field.vocabulary or "", {}).items():
            assert f"{canonical}:" in row[3] and all(s in row[3] for s in spellings), (field.name, canonical)


def test_template_bytes_are_stable_and_unknown_datasets_refused(tmp_path):
    assert template_bytes("risks") == template_bytes("risks")
    with pytest.raises(ValueError, match="unknown dataset"):
        template_bytes("nope")
    written = write_templates(tmp_path / "out")
    assert sorted(p.name for p in written) == sorted(file_name(d) for d in DATASETS)


def test_aims_templates_writes_one_workbook_per_dataset(aims, tmp_path):
    done = aims("templates", "--out", tmp_path / "t")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == sorted(file_name(d) for d in DATASETS)
