"""The dbt invocation target folders a build leaves behind are pruned to the newest few."""

import os
import uuid
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest

from orchestration.dbt import project as dbt_project
from orchestration.dbt import resource
from siyu.dbt.targets import (
    RUN_RESULTS,
    UNFINISHED_GRACE_S,
    invocation_folders,
    prune_invocation_targets,
)
from siyu.settings import DEFAULT_DBT_TARGETS_KEPT, SiyuSettings

NOW = 1_800_000_000.0


@cache
def dbt_resource() -> resource.SiyuDbtCliResource:
    return resource.build_dbt_resource(dbt_project.build_dbt_project(SiyuSettings.from_env({})))


def dagster_dbt_folder_name(op_name: str = "siyu_dbt_models") -> str:
    """The name dagster-dbt gives an invocation's target folder (its own code, not a copy)."""
    context = SimpleNamespace(
        op_execution_context=SimpleNamespace(op=SimpleNamespace(name=op_name)),
        run=SimpleNamespace(run_id=str(uuid.uuid4())),
    )
    return dbt_resource()._get_unique_target_path(context=context).name


def invocation(target: Path, age_s: float, finished: bool = True) -> Path:
    """An invocation folder last written `age_s` before NOW."""
    folder = target / dagster_dbt_folder_name()
    (folder / "compiled").mkdir(parents=True)
    moment = NOW - age_s
    if finished:
        (folder / RUN_RESULTS).write_text("{}", encoding="utf-8")
        os.utime(folder / RUN_RESULTS, (moment, moment))
    os.utime(folder, (moment, moment))
    return folder


def test_the_newest_folders_are_kept_and_the_others_removed(tmp_path):
    target = tmp_path / "target"
    by_age = [invocation(target, age_s=hours * 3600) for hours in (1, 5, 2, 30, 4, 3)]

    removed = prune_invocation_targets(target, keep=3, now=NOW)

    newest_three = [by_age[0], by_age[2], by_age[5]]  # 1, 2 and 3 hours old
    assert invocation_folders(target) == newest_three
    assert sorted(removed) == sorted(set(by_age) - set(newest_three))
    assert not any(folder.exists() for folder in removed)


def test_what_is_not_an_invocation_folder_is_left_alone(tmp_path):
    target = tmp_path / "target"
    old = invocation(target, age_s=48 * 3600)
    shared = [target / "manifest.json", target / "partial_parse.msgpack"]
    for path in shared:
        path.write_text("{}", encoding="utf-8")
    parse_staging = target / ".parse-4242"  # a parse under way (dbt_project.parse_manifest)
    parse_staging.mkdir()
    hand_made = target / "my-debugging-copy"
    hand_made.mkdir()

    assert prune_invocation_targets(target, keep=0, now=NOW) == [old]
    assert all(path.exists() for path in [*shared, parse_staging, hand_made])


def test_the_current_build_and_builds_under_way_are_never_removed(tmp_path):
    target = tmp_path / "target"
    current = invocation(target, age_s=10 * 3600)
    running = invocation(target, age_s=60, finished=False)  # another run's build, no results yet
    crashed = invocation(target, age_s=UNFINISHED_GRACE_S + 60, finished=False)

    removed = prune_invocation_targets(target, keep=0, current=current, now=NOW)

    assert removed == [crashed]
    assert current.exists() and running.exists()


def test_a_missing_target_folder_prunes_nothing(tmp_path):
    assert prune_invocation_targets(tmp_path / "never-built", keep=1, now=NOW) == []


def test_the_number_kept_is_a_setting_the_dbt_resource_carries():
    assert SiyuSettings.from_env({}).dbt_targets_kept == DEFAULT_DBT_TARGETS_KEPT
    settings = SiyuSettings.from_env({"SIYU_DBT_TARGETS_KEPT": "3"})
    assert settings.dbt_targets_kept == 3
    project = dbt_project.build_dbt_project(settings)
    assert resource.build_dbt_resource(project, settings.dbt_targets_kept).targets_kept == 3
    for wrong in ("-1", "three"):
        with pytest.raises(ValueError, match="SIYU_DBT_TARGETS_KEPT"):
            SiyuSettings.from_env({"SIYU_DBT_TARGETS_KEPT": wrong})
