"""The dbt manifest is parsed again exactly when something a parse reads has changed."""

from __future__ import annotations

from pathlib import Path

from orchestration.dbt.assets import keep_partial_parse, parse_fingerprint


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
