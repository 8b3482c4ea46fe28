"""dbt's unit tests (`unit_tests:` in the models' YAML): fixed input rows, expected output rows.

They run in every `dbt build` before their model (the pipeline's, the marts tests', the Spark
leg's), and here on their own: the models they read are built empty (`--empty`, seeds loaded) on
a warehouse whose raw tables exist but hold no row, then `dbt test --select test_type:unit` runs
every unit test of the project.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from siyu.settings import DBT_PROJECT_DIR
from tests.conftest import ingest_landing
from tests.dbt_runner import run_dbt
from tests.landing import LandingBuilder

ROI_UNIT_TESTS = DBT_PROJECT_DIR / "models" / "intermediate" / "roi" / "_roi__unit_tests.yml"
# Builds of the marts tests pass --vars siyu_as_of, and every DuckDB build runs the unit tests: one
# that needs a particular as-of must set it itself (overrides: vars), whatever the build passes.
AS_OF_OF_A_BUILD = ["--vars", '{"siyu_as_of": "2000-01-01 00:00:00"}']


def unit_test_results(target_path: Path) -> dict[str, str]:
    """unit test name -> status, from the run_results.json of the last dbt call."""
    results = json.loads((target_path / "run_results.json").read_text(encoding="utf-8"))
    return {
        result["unique_id"].rsplit(".", 1)[-1]: result["status"]
        for result in results["results"]
        if result["unique_id"].startswith("unit_test.")
    }


def project_unit_tests(target_path: Path) -> set[str]:
    """The names of the unit tests the parsed project holds (enabled on this target)."""
    manifest = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
    return {test["name"] for test in manifest["unit_tests"].values()}


@pytest.mark.build
def test_every_unit_test_runs_and_passes(tmp_path):
    warehouse, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    ingest_landing(warehouse, LandingBuilder.empty(tmp_path / "landing").path)  # raw, no row
    run_dbt(
        [
            *("build", "--empty", "--select", "+test_type:unit"),
            *("--resource-type", "model", "--resource-type", "seed"),
            *AS_OF_OF_A_BUILD,
        ],
        warehouse,
        target,
    )

    started = time.perf_counter()
    output = run_dbt(["test", "--select", "test_type:unit", *AS_OF_OF_A_BUILD], warehouse, target)
    seconds = time.perf_counter() - started

    results = unit_test_results(target)
    assert results, f"no unit test ran:\n{output[-3000:]}"
    assert set(results) == project_unit_tests(target)
    assert set(results.values()) == {"pass"}, results
    # the tests of the attribution weights, the RFM scores and macro latest_record are there
    names = " ".join(results)
    for prefix in ("attribution_", "rfm_", "latest_record_"):
        assert prefix in names, f"no unit test named {prefix}*: {sorted(results)}"
    finished = re.search(r"Finished running .*", output)  # dbt's own time of the tests
    dbt_timing = finished.group(0) if finished else "?"
    print(f"{len(results)} unit tests passed; dbt test: {seconds:.1f} s in all; {dbt_timing}")


def test_expected_attribution_weights_add_up_to_1_per_order_and_model():
    """The hand-computed expectations of the attribution unit tests keep the model's contract:
    a model's weights of one order add up to 1, each weight in (0, 1]."""
    unit_tests = yaml.safe_load(ROI_UNIT_TESTS.read_text(encoding="utf-8"))["unit_tests"]
    checked = 0
    for unit_test in unit_tests:
        sums: dict[tuple[str, str], float] = defaultdict(float)
        for row in unit_test["expect"]["rows"]:
            if "attribution_weight" in row:
                assert 0 < row["attribution_weight"] <= 1, (unit_test["name"], row)
                sums[row["order_key"], row["attribution_model"]] += row["attribution_weight"]
        for (order_key, model), total in sums.items():
            assert math.isclose(total, 1, rel_tol=1e-12), (unit_test["name"], order_key, model)
        checked += len(sums)
    assert checked >= 20, "the weight expectations were not found"
