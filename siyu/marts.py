"""The contract marts and their primary keys, as the dbt project declares them.

Every model under dbt_project/models/marts/ is a contract mart (docs/marts-contract.md). Its
primary key is declared once, by the `primary_key` dbt test in the YAML beside it
(dbt_project/tests/generic/primary_key.sql), which checks it unique and not null on every build.
The audit, the docs and the tests read the marts and keys from here, never from a copy.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from siyu.settings import DBT_PROJECT_DIR

PRIMARY_KEY_TEST = "primary_key"


def marts_dir(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    return project_dir / "models" / "marts"


def contract_marts(project_dir: Path = DBT_PROJECT_DIR) -> list[str]:
    """The name of every model under models/marts, sorted."""
    return sorted(path.stem for path in marts_dir(project_dir).rglob("*.sql"))


def declared_primary_keys(project_dir: Path = DBT_PROJECT_DIR) -> dict[str, list[list[str]]]:
    """Model -> the columns of each `primary_key` test declared on it (a mart has exactly one)."""
    keys: dict[str, list[list[str]]] = {}
    for path in sorted(marts_dir(project_dir).rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            for test in model.get("data_tests") or []:
                if isinstance(test, dict) and PRIMARY_KEY_TEST in test:
                    columns = test[PRIMARY_KEY_TEST]["arguments"]["columns"]
                    keys.setdefault(model["name"], []).append(list(columns))
    return keys


def primary_keys(project_dir: Path = DBT_PROJECT_DIR) -> dict[str, list[str]]:
    """Contract mart -> its primary key columns, from its `primary_key` dbt test.

    Raises ValueError naming every contract mart without exactly one such test."""
    declared = declared_primary_keys(project_dir)
    marts = contract_marts(project_dir)
    wrong = [mart for mart in marts if len(declared.get(mart, [])) != 1]
    if wrong:
        raise ValueError(
            "every contract mart declares its primary key in exactly one primary_key dbt test "
            f"(dbt_project/tests/generic/primary_key.sql); not so for: {', '.join(wrong)}"
        )
    return {mart: declared[mart][0] for mart in marts}
