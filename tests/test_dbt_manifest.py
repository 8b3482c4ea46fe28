"""The dbt manifest is parsed again exactly when something a parse reads has changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.dbt import project as dbt_project
from orchestration.dbt import resource
from orchestration.dbt.project import build_dbt_project
from siyu.dbt.parsing import exclusive, keep_partial_parse, parse_fingerprint
from siyu.settings import SiyuSettings
from tests.tags.project import copy_project

# tries the lock without waiting: exits with BlockingIOError while another process holds it
TRY_LOCK = "import fcntl, sys; fcntl.flock(open(sys.argv[1], 'a'), fcntl.LOCK_EX | fcntl.LOCK_NB)"


def mini_project(root: Path) -> Path:
    (root / "models" / "staging").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: mini\nvars:\n  salt: \"{{ env_var('SIYU_HASH_SALT', 'x') }}\"\n", encoding="utf-8"
    )
    (root / "profiles.yml").write_text(
        "mini:\n  outputs:\n    duckdb:\n      path: \"{{ env_var('SIYU_WORK_WAREHOUSE') }}\"\n",
        encoding="utf-8",
    )
    (root / "models" / "staging" / "stg_a.sql").write_text("select 1 as a\n", encoding="utf-8")
    (root / "target").mkdir()
    return root


def test_the_fingerprint_follows_the_project_files_target_and_the_variables_it_reads(tmp_path):
    project = mini_project(tmp_path)
    base = parse_fingerprint(project, "duckdb", {"HOME": "/x"})

    assert parse_fingerprint(project, "duckdb", {"HOME": "/y", "PATH": "/bin"}) == base
    assert parse_fingerprint(project, "duckdb", {"SIYU_WORK_WAREHOUSE": "/tmp/w.duckdb"}) == base, (
        "where the connection points does not change the graph"
    )
    (project / "target" / "run_results.json").write_text("{}", encoding="utf-8")
    assert parse_fingerprint(project, "duckdb", {}) == base, "build output is not a parse input"

    assert parse_fingerprint(project, "spark", {}) != base
    assert parse_fingerprint(project, "duckdb", {"SIYU_HASH_SALT": "s"}) != base

    model = project / "models" / "staging" / "stg_a.sql"
    model.write_text("select 2 as a\n", encoding="utf-8")
    edited = parse_fingerprint(project, "duckdb", {})
    assert edited != base

    model.rename(project / "models" / "staging" / "stg_b.sql")
    assert parse_fingerprint(project, "duckdb", {}) not in (base, edited), "a rename is a change"


def test_the_builds_partial_parse_state_is_kept_for_the_next_run(tmp_path):
    run_target = tmp_path / "target" / "siyu_dbt_models-abc"
    run_target.mkdir(parents=True)
    (run_target / "partial_parse.msgpack").write_bytes(b"state of this build")
    (tmp_path / "target" / "partial_parse.msgpack").write_bytes(b"state of an older parse")

    keep_partial_parse(run_target, tmp_path / "target")
    keep_partial_parse(tmp_path / "target" / "failed-before-parsing", tmp_path / "target")

    kept = tmp_path / "target" / "partial_parse.msgpack"
    assert kept.read_bytes() == b"state of this build"
    assert sorted(p.name for p in (tmp_path / "target").iterdir()) == [
        "partial_parse.msgpack",
        "siyu_dbt_models-abc",
    ], "no staging file is left behind"


def test_the_parse_lock_is_held_by_one_process_at_a_time(tmp_path):
    lock = tmp_path / "target" / ".siyu_parse.lock"
    with exclusive(lock):
        while_held = subprocess.run(
            [sys.executable, "-c", TRY_LOCK, str(lock)], capture_output=True, text=True
        )
    after = subprocess.run([sys.executable, "-c", TRY_LOCK, str(lock)], capture_output=True)

    assert while_held.returncode != 0 and "BlockingIOError" in while_held.stderr
    assert after.returncode == 0, "the lock is released when the block ends"


def manifest_models(path: Path) -> set[str]:
    nodes = json.loads(path.read_text(encoding="utf-8"))["nodes"]
    return {node["name"] for node in nodes.values() if node["resource_type"] == "model"}


@pytest.mark.build
def test_the_project_is_parsed_when_it_changed_and_only_then(tmp_path, monkeypatch):
    project_dir = copy_project(tmp_path / "dbt_project")
    monkeypatch.setattr(dbt_project, "DBT_PROJECT_DIR", project_dir)
    settings = SiyuSettings.from_env({})
    target = project_dir / "target"

    manifest = build_dbt_project(settings).manifest_path
    assert manifest.parent == target
    assert "customer_tags" in manifest_models(manifest)
    assert {path.name for path in target.iterdir()} >= {
        "manifest.json",
        "partial_parse.msgpack",
        dbt_project.FINGERPRINT_FILE,
    }
    assert not [path for path in target.iterdir() if path.name.startswith(".parse-")], (
        "the parse's own folder is removed"
    )

    parsed = manifest.stat().st_mtime_ns
    build_dbt_project(settings)
    assert manifest.stat().st_mtime_ns == parsed, "an unchanged project is not parsed again"

    (project_dir / "models" / "staging" / "stg_probe__rows.sql").write_text(
        "select 1 as probe_id\n", encoding="utf-8"
    )
    build_dbt_project(settings)
    assert "stg_probe__rows" in manifest_models(manifest)


def dbt_parse_output(project_dir: Path, run_target: Path, work_warehouse: Path) -> str:
    """What `dbt parse` says when it starts from the state the project's parse left."""
    run_target.mkdir(parents=True)
    shutil.copyfile(
        project_dir / "target" / "partial_parse.msgpack", run_target / "partial_parse.msgpack"
    )
    environment = {**os.environ, "SIYU_WORK_WAREHOUSE": str(work_warehouse)}
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), "parse", "--target", "duckdb", "--target-path", str(run_target)]
    return subprocess.run(
        [*command, "--profiles-dir", str(project_dir)],
        cwd=project_dir,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.build
def test_the_first_build_of_a_deployment_can_parse_partially(tmp_path, monkeypatch):
    """The parse uses the deployment's working warehouse, so the build's profile matches it."""
    project_dir = copy_project(tmp_path / "dbt_project")
    monkeypatch.setattr(dbt_project, "DBT_PROJECT_DIR", project_dir)
    work_warehouse = tmp_path / "work" / "siyu_work.duckdb"
    monkeypatch.delenv("SIYU_WORK_WAREHOUSE", raising=False)
    build_dbt_project(SiyuSettings.from_env({"SIYU_WORK_WAREHOUSE": str(work_warehouse)}))
    assert "SIYU_WORK_WAREHOUSE" not in os.environ, "the parse leaves the environment as it was"

    same = dbt_parse_output(project_dir, tmp_path / "run-1", work_warehouse)
    other = dbt_parse_output(project_dir, tmp_path / "run-2", tmp_path / "elsewhere.duckdb")

    assert "Unable to do partial parsing" not in same
    assert "Unable to do partial parsing because profile has changed" in other


def test_the_dbt_resource_needs_no_version_subprocess_and_no_adapter(tmp_path, monkeypatch):
    from dagster_dbt.core import resource as dagster_dbt_resource
    from dbt.version import __version__ as installed

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"spawned {args}")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_subprocess)
    dbt = resource.build_dbt_resource(build_dbt_project(SiyuSettings.from_env({})))

    assert isinstance(dbt, resource.SiyuDbtCliResource)
    assert str(dbt._cli_version) == installed
    assert dbt._initialize_dbt_core_adapter(["build"]) is None
    elsewhere = tmp_path / "bin" / "dbt"  # e.g. dbt Fusion: asked for its version as before
    elsewhere.parent.mkdir()
    elsewhere.symlink_to(Path(sys.executable).with_name("dbt"))
    other = resource.SiyuDbtCliResource(
        project_dir=str(dbt_project.DBT_PROJECT_DIR), dbt_executable=str(elsewhere)
    )
    with pytest.raises(AssertionError, match=str(elsewhere)):
        _ = other._cli_version
