"""The suite files themselves: one per raw source, valid GE 1.x, leaving structure to the raw
contract; mart suites leave keys, nulls and value sets to the dbt tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
import yaml

from siyu.ingestion.raw_tables import ensure_raw_tables
from siyu.ingestion.specs import LINEAGE_COLUMNS, load_source_specs
from siyu.marts import contract_marts
from siyu.quality.batch import derived_problem
from siyu.quality.runner import build_expectation_suite
from siyu.quality.suites import (
    MART_SUITES_DIR,
    RAW_SUITES_DIR,
    SuiteFileError,
    load_suite,
    suite_paths,
)
from siyu.settings import DBT_PROJECT_DIR

SPECS = load_source_specs()
SOURCES = sorted(SPECS)


def required_columns(source: str) -> list[str]:
    """Columns the raw contract requires: header `required` and record `not_empty`."""
    spec = SPECS[source]
    return list(dict.fromkeys([*spec.required, *spec.not_empty]))


def test_every_raw_source_has_exactly_one_suite(suites):
    assert sorted(path.stem for path in RAW_SUITES_DIR.glob("*.json")) == SOURCES
    assert sorted(suites) == SOURCES


@pytest.mark.parametrize("source", SOURCES)
def test_suite_names_its_raw_table(suites, source):
    assert suites[source].table == f"raw.{source}"
    assert suites[source].name == f"raw.{source}"


@pytest.mark.parametrize("source", SOURCES)
def test_suite_builds_every_expectation_in_great_expectations(suites, source):
    built = build_expectation_suite(suites[source])
    assert len(built.expectations) == len(suites[source].expectations) > 0


@pytest.mark.parametrize("source", SOURCES)
def test_a_raw_suite_leaves_structure_to_the_raw_contract(suites, source):
    """The loader and sources.yml own a raw table's structure (docs/quality.md): its columns
    exist by construction, `not_empty` values are filled and `formats` shapes hold, or the file
    or record never reaches raw. A suite checks distributions, never those again."""
    spec = SPECS[source]
    repeated = []
    for entry in suites[source].expectations:
        column = entry["kwargs"].get("column", "")
        shape = spec.formats.get(column.removesuffix("__parses"))
        if entry["type"] == "expect_column_to_exist":
            repeated.append(f"expect_column_to_exist({column})")
        elif entry["type"] == "expect_column_values_to_not_be_null" and column in spec.not_empty:
            repeated.append(f"not null {column}: sources.yml not_empty")
        elif column.endswith("__parses") and shape in ("local_datetime", "date"):
            repeated.append(f"{column}: sources.yml formats {shape}")
        elif entry["type"] == "expect_column_values_to_match_regex" and shape == "amount":
            repeated.append(f"regex on {column}: sources.yml formats amount")
    assert repeated == []


# what the dbt tests own on a mart (docs/quality.md): keys, not-null columns, value sets (accepted
# values, relationships, model rules written as a boolean that must be true)
DBT_OWNED_EXPECTATIONS = {
    "expect_column_values_to_be_unique": "keys: the primary_key dbt test",
    "expect_compound_columns_to_be_unique": "keys: the primary_key dbt test",
    "expect_column_values_to_not_be_null": "not null: the not_null_columns dbt test",
    "expect_column_values_to_be_in_set": (
        "value sets: accepted_values, relationships, registered_channel or expression_is_true"
    ),
}
MART_SUITE_PATHS = suite_paths(MART_SUITES_DIR)


@pytest.mark.parametrize("path", MART_SUITE_PATHS, ids=lambda path: path.stem)
def test_a_mart_suite_checks_distributions_and_leaves_the_rest_to_dbt(path):
    """dbt tests own a mart's keys, nulls, value sets, rules and reconciliations; a mart suite
    checks only distributions: ranges, rates, monotone curves, shares, row counts. A share of
    filled values (`expect_column_values_to_not_be_null` with `mostly` below 1) is a
    distribution."""
    suite = load_suite(path)
    owned = [
        f"{entry['type']}({entry['kwargs'].get('column') or entry['kwargs'].get('column_list')}): "
        f"{DBT_OWNED_EXPECTATIONS[entry['type']]}"
        for entry in suite.expectations
        if entry["type"] in DBT_OWNED_EXPECTATIONS
        and not (
            entry["type"] == "expect_column_values_to_not_be_null"
            and entry["kwargs"].get("mostly", 1) < 1
        )
    ]
    assert owned == []


@pytest.mark.parametrize("path", MART_SUITE_PATHS, ids=lambda path: path.stem)
def test_a_mart_suite_names_an_existing_mart(path):
    suite = load_suite(path)
    assert suite.schema == "marts"
    assert suite.source in contract_marts()
    assert path.stem.split("__")[0] == suite.source


@pytest.mark.parametrize("source", SOURCES)
def test_named_columns_are_raw_or_declared_derived(suites, source):
    suite = suites[source]
    known = set(SPECS[source].columns) | set(LINEAGE_COLUMNS) | set(suite.derived_columns)
    assert suite.referenced_columns() <= known, suite.referenced_columns() - known
    assert suite.pii_columns <= set(SPECS[source].columns)


@pytest.mark.parametrize("source", SOURCES)
def test_derived_columns_compile_on_the_raw_table(suites, source):
    suite = suites[source]
    with duckdb.connect() as con:
        ensure_raw_tables(con, SPECS[source])
        problems = [derived_problem(con, suite, name) for name in suite.derived_columns]
    assert [problem for problem in problems if problem] == []


@pytest.mark.parametrize("source", SOURCES)
def test_regexes_compile_in_python(suites, source):
    for entry in suites[source].expectations:
        if "regex" in entry["kwargs"]:
            re.compile(entry["kwargs"]["regex"])


def test_placeholder_unionids_are_the_ones_staging_nulls(suites):
    """The suites accept exactly the placeholders dbt's nullif_junk removes (var in dbt_project)."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    placeholders = project["vars"]["siyu_junk_identifier_values"]
    pattern = next(
        entry["kwargs"]["regex"]
        for entry in suites["mp_users"].expectations
        if entry["type"] == "expect_column_values_to_match_regex"
        and entry["kwargs"]["column"] == "unionid"
        and entry["severity"] == "critical"
    )
    for value in [*placeholders, *(value.upper() for value in placeholders)]:
        assert re.search(pattern, value), value
    assert not re.search(pattern, "oops")


def write_suite(path: Path, expectations: list[dict], **siyu) -> Path:
    document = {"name": "t", "meta": {"siyu": {"table": "raw.mp_users", **siyu}}}
    path.write_text(json.dumps(document | {"expectations": expectations}), encoding="utf-8")
    return path


def test_a_misspelt_expectation_is_an_error_not_silently_dropped(tmp_path):
    suite = load_suite(
        write_suite(
            tmp_path / "t.json",
            [{"type": "expect_column_values_to_match_regexx", "kwargs": {"column": "openid"}}],
        )
    )
    with pytest.raises(ValueError, match="expect_column_values_to_match_regexx"):
        build_expectation_suite(suite)


def test_a_misspelt_keyword_argument_is_an_error(tmp_path):
    misspelt = {
        "type": "expect_column_values_to_match_regex",
        "kwargs": {"column": "openid", "regx": "^o"},
    }
    suite = load_suite(write_suite(tmp_path / "t.json", [misspelt]))
    with pytest.raises(ValueError, match="regx"):
        build_expectation_suite(suite)


def test_unknown_severity_and_missing_table_are_refused(tmp_path):
    expectation = {"type": "expect_column_to_exist", "kwargs": {"column": "openid"}}
    with pytest.raises(SuiteFileError, match="severity"):
        load_suite(write_suite(tmp_path / "a.json", [expectation | {"severity": "blocking"}]))
    (tmp_path / "b.json").write_text(json.dumps({"expectations": [expectation]}), encoding="utf-8")
    with pytest.raises(SuiteFileError, match=r"meta\.siyu\.table"):
        load_suite(tmp_path / "b.json")


@pytest.mark.parametrize("source", SOURCES)
def test_suite_file_is_a_plain_great_expectations_suite(suites, source):
    """GE itself reads the file as is (siyu's settings are only meta)."""
    import great_expectations as gx

    from siyu.quality.runner import ephemeral_context

    ephemeral_context()
    document = json.loads(suites[source].path.read_text(encoding="utf-8"))
    assert len(gx.ExpectationSuite(**document).expectations) == len(document["expectations"])


def test_dbt_vars_become_sql_literals(tmp_path):
    suite = load_suite(
        write_suite(
            tmp_path / "t.json",
            [{"type": "expect_column_to_exist", "kwargs": {"column": "openid"}}],
            derived_columns={"junk": "lower(unionid) in {{ var('siyu_junk_identifier_values') }}"},
        )
    )
    assert suite.derived_columns["junk"].startswith("lower(unionid) in ['', 'null', ")

    with pytest.raises(SuiteFileError, match="siyu_no_such_var"):
        load_suite(
            write_suite(
                tmp_path / "u.json",
                [{"type": "expect_column_to_exist", "kwargs": {"column": "openid"}}],
                derived_columns={"x": "{{ var('siyu_no_such_var') }}"},
            )
        )
