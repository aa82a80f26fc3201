"""The house rules, checked: import directions, no SQL in pages, one writer, every metric documented and tested."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
METRIC_MODULES = sorted(p.stem for p in (ROOT / "metrics").glob("*.py") if p.stem != "__init__")
WRITE_SQL = re.compile(
    r"\b(insert\s+into|update\s+\w+\s+set|delete\s+from|create\s+table|alter\s+table|drop\s+table)\b", re.I
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _py(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", ["metrics", "loaders", "store", "exports"])
def test_no_streamlit_below_the_ui(folder):
    offenders = [p.name for p in _py(folder) if "streamlit" in _imports(p)]
    assert offenders == []


def test_nothing_imports_pages():
    everything = [p for p in ROOT.rglob("*.py") if ".venv" not in p.parts and "pages" not in p.parts]
    assert [p.name for p in everything if "pages" in _imports(p)] == []


def test_pages_only_use_ui_metrics_and_streamlit():
    allowed = {
        "streamlit",
        "ui",
        "metrics",
        "pandas",
        "datetime",
        "json",
        "__future__",
    }
    for page in _py("pages"):
        extra = _imports(page) - allowed
        assert extra == set(), f"{page.name} imports {extra}"
        text = page.read_text(encoding="utf-8")
        assert ".execute(" not in text and not re.search(r"\bselect\b.+\bfrom\b", text, re.I), page.name
        assert ".groupby(" not in text, page.name
        assert "from store.db" not in text and "import duckdb" not in text, page.name


def test_metrics_never_write():
    for path in _py("metrics"):
        assert not WRITE_SQL.search(path.read_text(encoding="utf-8")), path.name


def _store_tables() -> set[str]:
    from store.schema import MIGRATIONS

    return {m.lower() for m in re.findall(r"create table if not exists (\w+)", "\n".join(MIGRATIONS))}


def test_only_the_store_writes_persistent_tables():
    """Outside store/, SQL writes go to staging (temporary) tables only, never to a store table."""
    tables = _store_tables()
    assert {"imports", "controls", "monitoring", "settings"} <= tables
    target = re.compile(
        r"\b(?:insert\s+into|update|delete\s+from|create(?:\s+or\s+replace)?(?:\s+temp(?:orary)?)?\s+table"
        r"|alter\s+table|drop\s+table(?:\s+if\s+exists)?)\s+(?:temp\.)?\"?(\w+)",
        re.I,
    )
    for folder in ("loaders", "ui", "pages", "exports", "metrics"):
        for path in _py(folder):
            for match in target.finditer(path.read_text(encoding="utf-8")):
                assert match.group(1).lower() not in tables, f"{path.name} writes {match.group(1)}"


def _public_metrics() -> list[tuple[str, str]]:
    found = []
    for name in METRIC_MODULES:
        module = importlib.import_module(f"metrics.{name}")
        for attr, value in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(value) or value.__module__ != module.__name__:
                continue
            params = list(inspect.signature(value).parameters)
            if params and params[0] == "con":
                found.append((name, attr))
    return found


def test_there_are_public_metrics():
    assert len(_public_metrics()) >= 5


@pytest.mark.parametrize(("module", "function"), _public_metrics())
def test_every_public_metric_is_documented_and_tested(module, function):
    doc = (ROOT / "METRICS.md").read_text(encoding="utf-8")
    assert f"`{function}`" in doc, f"{module}.{function} is not documented in METRICS.md"
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    assert re.search(rf"\b{function}\b", tests), f"{module}.{function} is not used by any test"


@pytest.mark.parametrize(("module", "function"), _public_metrics())
def test_every_public_metric_states_its_grain_or_question(module, function):
    fn = getattr(importlib.import_module(f"metrics.{module}"), function)
    assert fn.__doc__ and len(fn.__doc__.strip()) > 20, f"{module}.{function} needs a docstring"


def test_readme_column_tables_match_the_contracts():
    from loaders.docs import contracts_markdown

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert contracts_markdown() in readme, "run: python -m loaders.docs --write README.md"
