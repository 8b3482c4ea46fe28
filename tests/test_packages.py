"""The packages hold what their names say: siyu/ is the library the dbt Python model, Dagster and
the tools share, so it never imports Dagster (nor the code location, orchestration/); the
sample-data generator needs neither. The dbt build's fingerprint covers the library's code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from siyu.dbt.build_inputs import SIYU_CODE_DIRS
from siyu.settings import REPO_ROOT

DAGSTER_FREE_PACKAGES = ("siyu", "sample_data")
FORBIDDEN = ("dagster", "dagster_dbt", "orchestration")

IMPORT_ALL = """
import importlib, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(module.name)
print(" ".join(name for name in sys.argv[2:] if name in sys.modules))
"""


def modules_of(package: str) -> list[Path]:
    return sorted((REPO_ROOT / package).rglob("*.py"))


def imported_names(path: Path) -> set[str]:
    """Every module an import statement of `path` names, at any depth (lazy imports too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", DAGSTER_FREE_PACKAGES)
def test_importing_every_module_loads_no_dagster(package):
    loaded = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, package, *FORBIDDEN],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert loaded.stdout.split() == []


@pytest.mark.parametrize("package", DAGSTER_FREE_PACKAGES)
def test_no_module_imports_dagster_or_the_code_location(package):
    offending = {
        f"{path.relative_to(REPO_ROOT)}: {name}"
        for path in modules_of(package)
        for name in imported_names(path)
        if name.split(".")[0] in FORBIDDEN
    }
    assert offending == set()


def test_the_build_fingerprint_covers_the_library_and_the_code_location():
    assert {REPO_ROOT / "siyu", REPO_ROOT / "orchestration"} <= set(SIYU_CODE_DIRS)
