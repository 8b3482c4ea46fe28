"""The contract marts and their primary keys: declared once, by a primary_key dbt test per mart
(siyu/marts.py), and what the docs say agrees with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from siyu.marts import contract_marts, primary_keys
from siyu.settings import REPO_ROOT

CONTRACT_DOC = REPO_ROOT / "docs" / "marts-contract.md"


def test_every_contract_mart_declares_its_primary_key_in_one_dbt_test():
    keys = primary_keys()
    assert sorted(keys) == contract_marts()
    assert all(keys.values())


def write_mart(project: Path, name: str, tests: str) -> None:
    folder = project / "models" / "marts" / "area"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.sql").write_text("select 1 as id\n", encoding="utf-8")
    (folder / f"_{name}.yml").write_text(
        f"version: 2\nmodels:\n  - name: {name}\n    data_tests:\n{tests}", encoding="utf-8"
    )


def test_a_contract_mart_without_a_primary_key_test_is_an_error(tmp_path):
    write_mart(
        tmp_path, "keyed", "      - primary_key:\n          arguments:\n            columns: [id]\n"
    )
    write_mart(
        tmp_path,
        "unkeyed",
        "      - not_null_columns:\n          arguments:\n            columns: [id]\n",
    )
    with pytest.raises(ValueError, match="unkeyed"):
        primary_keys(tmp_path)


def documented_keys() -> dict[str, list[str]]:
    """mart -> primary key, from the table in docs/marts-contract.md."""
    keys = {}
    for line in CONTRACT_DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"`\w+`", cells[1]):
            keys[cells[1].strip("`")] = re.findall(r"`(\w+)`", cells[3])
    return keys


def test_the_contract_doc_lists_every_mart_with_the_key_dbt_checks():
    assert documented_keys() == primary_keys()
