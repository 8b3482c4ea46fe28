"""A private copy of the dbt project for a test module: its seeds, tags and audiences can be edited
(an opt-out list, a tag added by a YAML edit, test-only audiences) without touching the repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from siyu.settings import DBT_PROJECT_DIR

CATALOGUE = Path("models/marts/tags/tag_catalogue.yml")
# The tag marts with everything upstream, but only the tests of the tags area (upstream models'
# tests belong to their own modules): `--indirect-selection empty` adds no test by itself.
SELECT_TAGS = [
    "--select",
    *(f"+path:models/marts/tags,resource_type:{kind}" for kind in ("model", "seed")),
    *(
        f"path:{folder},resource_type:test"
        for folder in ("models/intermediate/tags", "models/marts/tags", "seeds/tags")
    ),
    "--indirect-selection",
    "empty",
]


def copy_project(destination: Path) -> Path:
    shutil.copytree(
        DBT_PROJECT_DIR,
        destination,
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"),
    )
    return destination


def run_dbt_in(
    project: Path, args: list[str], warehouse: Path, *, check: bool = True
) -> subprocess.CompletedProcess:
    """Run `dbt <args>` on the project copy and warehouse; raise with dbt's output on failure."""
    dbt = Path(sys.executable).with_name("dbt")
    target = project / "target"
    result = subprocess.run(
        [
            str(dbt),
            *args,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(target),
        ],
        env={
            **os.environ,
            "SIYU_WORK_WAREHOUSE": str(warehouse),
            "SIYU_WAREHOUSE": str(warehouse),
            "DBT_LOG_PATH": str(target),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-8000:]}")
    return result


def as_of_vars(as_of: str) -> list[str]:
    return ["--vars", f"{{siyu_as_of: '{as_of}'}}"]


def add_tags(project: Path, *tags: dict) -> None:
    """Append tags to the catalogue, as an analytics engineer would in YAML."""
    path = project / CATALOGUE
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    catalogue = next(
        model["config"]["meta"]["siyu_tags"]
        for model in document["models"]
        if "siyu_tags" in model.get("config", {}).get("meta", {})
    )
    catalogue.extend(tags)  # the same list the validity test gets through the YAML alias
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
