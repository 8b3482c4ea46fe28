"""siyu's registries, read from where they live once: the channels (var `siyu_channels` of
dbt_project.yml), the identifier types (seed identity_id_types) and the attribution models (seed
attribution_models). Python never lists these itself."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from siyu.settings import DBT_PROJECT_DIR

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"


@dataclass(frozen=True)
class Channel:
    name: str
    label: str
    sells: bool
    touches: bool
    reach_id_type: str | None
    identity_models: tuple[str, ...]


@dataclass(frozen=True)
class IdType:
    name: str
    stored_as: str
    is_platform_masked: bool
    ground_truth_id_type: str

    @property
    def is_keyed_hash(self) -> bool:
        return self.stored_as == "keyed_hash"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def channels(project_dir: Path = DBT_PROJECT_DIR) -> dict[str, Channel]:
    """The channel registry, in its order."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return {
        name: Channel(
            name=name,
            label=str(entry["label"]),
            sells=bool(entry.get("sells")),
            touches=bool(entry.get("touches")),
            reach_id_type=entry.get("reach_id_type"),
            identity_models=tuple(entry.get("identity_models") or ()),
        )
        for name, entry in project["vars"]["siyu_channels"].items()
    }


@cache
def id_types(seeds_dir: Path = SEEDS_DIR) -> dict[str, IdType]:
    """The identifier-type registry, by priority."""
    rows = sorted(
        _read_csv(seeds_dir / "identity" / "identity_id_types.csv"),
        key=lambda row: int(row["priority"]),
    )
    return {
        row["id_type"]: IdType(
            name=row["id_type"],
            stored_as=row["stored_as"],
            is_platform_masked=row["is_platform_masked"] == "true",
            ground_truth_id_type=row["ground_truth_id_type"],
        )
        for row in rows
    }


@cache
def attribution_models(seeds_dir: Path = SEEDS_DIR) -> tuple[str, ...]:
    """The attribution models, in their display order."""
    rows = _read_csv(seeds_dir / "roi" / "attribution_models.csv")
    return tuple(
        row["attribution_model"] for row in sorted(rows, key=lambda row: int(row["display_order"]))
    )
