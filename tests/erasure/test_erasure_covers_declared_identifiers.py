"""Every identifier identity observes can be erased from the raw rows it comes from.

Identity observes what each identity model of the channel registry declares (its YAML's
`meta.identity.identifiers`); a deletion request erases raw rows by the identifiers each raw source
lists in siyu/ingestion/sources.yml (`identifiers:`). The two must agree, or a channel added with
its identifiers declared for identity only would keep the raw rows of a person who asked to be
deleted. The one exception: identifier types that are keyed hashes of what a platform masks (JD's
and Douyin's buyer keys) match no raw column; identity leaves them out once they are on the erasure
list (macro identity_observations), and docs/privacy.md says what stays.

No dbt run: the models' SQL is read for its ref() and source() calls.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from siyu.ingestion.specs import load_source_specs
from siyu.registry import channels, id_types
from siyu.settings import DBT_PROJECT_DIR

MODELS_DIR = DBT_PROJECT_DIR / "models"
REF = re.compile(r"""\bref\(\s*['"](\w+)['"]\s*\)""")
SOURCE = re.compile(r"""\bsource\(\s*['"](\w+)['"]\s*,\s*['"](\w+)['"]\s*\)""")


@cache
def yaml_documents() -> tuple[dict, ...]:
    return tuple(
        yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for path in sorted(MODELS_DIR.rglob("*.yml"))
    )


@cache
def raw_tables_of_sources() -> dict[tuple[str, str], str]:
    """(source name, table name) -> the raw table's name, from the sources' YAML."""
    return {
        (source["name"], table["name"]): table.get("identifier") or table["name"]
        for document in yaml_documents()
        for source in document.get("sources") or []
        for table in source.get("tables") or []
    }


def model_sql(model: str) -> str:
    (path,) = MODELS_DIR.rglob(f"{model}.sql")
    return path.read_text(encoding="utf-8")


def raw_tables_read(model: str) -> set[str]:
    """The raw tables a model reads, through the models it refs, to its sources."""
    sql = model_sql(model)
    tables = {raw_tables_of_sources()[found] for found in SOURCE.findall(sql)}
    for parent in REF.findall(sql):
        tables |= raw_tables_read(parent)
    return tables


def declared_id_types(model: str) -> set[str]:
    """The identifier types a model declares for identity (meta.identity of its YAML)."""
    for document in yaml_documents():
        for entry in document.get("models") or []:
            if entry["name"] == model:
                meta = (entry.get("config") or {}).get("meta") or entry.get("meta") or {}
                return {item["id_type"] for item in meta["identity"]["identifiers"]}
    raise AssertionError(f"{model}: no YAML declares it")


def unmatchable(id_type: str) -> bool:
    """A keyed hash of what a platform masks: no raw column holds it."""
    registered = id_types()[id_type]
    return registered.is_platform_masked and registered.is_keyed_hash


IDENTITY_MODELS = sorted(
    {model for channel in channels().values() for model in channel.identity_models}
)


def test_every_channel_declares_identity_models():
    assert IDENTITY_MODELS
    assert all(declared_id_types(model) for model in IDENTITY_MODELS)


@pytest.mark.parametrize("model", IDENTITY_MODELS)
def test_each_declared_identifier_is_erasable_in_the_raw_tables_the_model_reads(model):
    specs = load_source_specs()
    raw = raw_tables_read(model)
    assert raw, f"{model} reads no raw table"
    erasable = {id_type for table in raw for id_type in specs[table].identifiers}
    missing = {
        id_type
        for id_type in declared_id_types(model)
        if id_type not in erasable and not unmatchable(id_type)
    }
    assert not missing, (
        f"{model} declares {sorted(missing)} for identity, but siyu/ingestion/sources.yml lists "
        f"no column of {sorted(raw)} carrying them under identifiers: a deletion request would "
        "leave those raw rows"
    )


def test_each_raw_identifier_is_observed_by_a_model_that_reads_it():
    """The other way round: a raw column erasure matches is an identifier identity observes."""
    observed: dict[str, set[str]] = {}
    for model in IDENTITY_MODELS:
        for table in raw_tables_read(model):
            observed.setdefault(table, set()).update(declared_id_types(model))
    for spec in load_source_specs().values():
        assert set(spec.identifiers) <= observed.get(spec.name, set()), spec.name


def test_the_only_unmatchable_types_are_the_masked_shops_buyer_keys():
    assert {name for name in id_types() if unmatchable(name)} == {"jd_buyer", "douyin_buyer"}


def test_a_model_reading_a_raw_table_through_a_base_model_is_followed(tmp_path: Path):
    assert raw_tables_read("stg_pos__orders") == {"pos_orders"}
