"""siyu's dbt resource (orchestration/dbt/resource.py) relies on dagster-dbt's DbtCliResource in
ways its public API does not promise: it overrides the private `_cli_version` and
`_initialize_dbt_core_adapter` (seconds saved on every dbt command), and passes dbt's environment
by setting it around `cli()`, which starts dbt with a copy of `os.environ`. These fail when a
dagster-dbt upgrade changes any of that, before a run would silently pay the seconds again or
start dbt without its environment."""

from __future__ import annotations

import inspect
import os
import stat
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource

from orchestration.dbt.resource import SiyuDbtCliResource


def test_cli_still_asks_the_overridden_private_methods():
    source = inspect.getsource(DbtCliResource.cli)
    assert "self._cli_version" in source
    assert "self._initialize_dbt_core_adapter(args)" in source


def test_the_overridden_private_methods_keep_their_shape():
    assert isinstance(inspect.getattr_static(DbtCliResource, "_cli_version"), cached_property)
    parameters = inspect.signature(DbtCliResource._initialize_dbt_core_adapter).parameters
    assert list(parameters) == ["self", "args"]


def test_cli_starts_dbt_with_a_copy_of_this_process_environment():
    parameters = inspect.signature(DbtCliResource.cli).parameters
    assert "env" not in parameters, "dagster-dbt takes an environment now: pass it instead"
    assert "os.environ.copy()" in inspect.getsource(DbtCliResource.cli)


def fake_dbt(folder: Path) -> Path:
    """An executable that answers --version and otherwise writes SIYU_PROBE's value to a file."""
    script = folder / "dbt"
    script.write_text(
        f"#!{sys.executable}\n"
        "import os, sys\n"
        "if sys.argv[1:] == ['--version']:\n"
        "    print('Core:\\n  - installed: 1.11.0')\n"
        "    sys.exit(0)\n"
        f"open({str(folder / 'probe.txt')!r}, 'w').write(os.environ.get('SIYU_PROBE', '-'))\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_dbt_gets_the_environment_passed_and_this_process_keeps_its_own(tmp_path):
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "dbt_project.yml").write_text("name: probe\n", encoding="utf-8")
    dbt = SiyuDbtCliResource(
        project_dir=str(tmp_path / "project"), dbt_executable=str(fake_dbt(tmp_path))
    )
    dbt.cli(["debug"], env={"SIYU_PROBE": "passed"}, raise_on_error=False).wait()

    assert (tmp_path / "probe.txt").read_text(encoding="utf-8") == "passed"
    assert "SIYU_PROBE" not in os.environ
