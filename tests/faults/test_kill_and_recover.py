"""Fault injection: `python -m orchestration.run` killed with SIGKILL at each step (ingestion, the
raw suites, the dbt build, the audit, publishing), then run again: the next run completes, no
dbt process outlives the killed run, nothing the killed run left stays behind, and every contract
mart equals that of an uninterrupted run, row for row. Also: a second run beside a running one is
refused at once, and a BI tool holding the published file open read-write does not stop a run.

The landing folder and the deployments live under a dot-directory, in folders whose names hold a
space and Chinese characters. One uninterrupted run is the reference of every comparison.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from siyu.publish.record import current_publish
from tests.faults.deployment import (
    Deployment,
    Run,
    dbt_processes,
    debris,
    mart_differences,
)
from tests.landing import LandingBuilder

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

# the smallest scale at which every contract mart has rows, but the two that a first run leaves
# empty by nature (identity_customer_id_changes: no earlier run; rpt_unmapped_ad_spend: every
# campaign of the generator is mapped)
SCALE = 0.002
Event = dg.DagsterEventType


@dataclass(frozen=True)
class KillPoint:
    """Where a run is killed: once it logged `event` for `step_key` (and `then` holds)."""

    event: dg.DagsterEventType
    step_key: str
    then: Callable[[Deployment], Callable[[], bool]] | None = None


def staged_copy_written(deployment: Deployment) -> Callable[[], bool]:
    return lambda: any(deployment.published.parent.glob(".siyu.duckdb.*.tmp"))


KILL_POINTS = {
    # some sources loaded, others not
    "ingestion": KillPoint(Event.ASSET_MATERIALIZATION, "raw_ingestion"),
    "raw suites": KillPoint(Event.STEP_START, "raw_expectations"),
    # dbt has built a model and goes on with the others
    "dbt build": KillPoint(Event.ASSET_MATERIALIZATION, "siyu_dbt_models"),
    "audit": KillPoint(Event.STEP_START, "publish__marts_audit"),
    # the staged copy is being written beside the published file
    "publish": KillPoint(Event.STEP_START, "publish__published_warehouse", staged_copy_written),
}

# a BI tool's connection: read-write, the default of the duckdb CLI and DBeaver
READ_WRITE_READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1])
    print(con.execute("select publish_id from meta.publish_log").fetchone()[0], flush=True)
    sys.stdin.readline()
    print(con.execute("select publish_id from meta.publish_log").fetchone()[0], flush=True)
    """
)


@dataclass(frozen=True)
class Baseline:
    deployment: Deployment
    uninterrupted: Run
    uninterrupted_run_id: str
    second: Run
    # a copy of the uninterrupted run's published warehouse: the reference of every comparison
    reference: Path


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("faults") / "思域 故障"


@pytest.fixture(scope="module")
def landing(root) -> Path:
    exports = root / ".local" / "share" / "渠道 导出"
    generated = LandingBuilder.generated(
        exports, scale=SCALE, seed=7, start=date(2026, 5, 1), end=date(2026, 11, 20)
    )
    return generated.path


@pytest.fixture(autouse=True)
def no_dbt_left(root) -> Iterator[None]:
    """Whatever a case does, no dbt process of it outlives the case."""
    yield
    for work in root.glob(".local/share/*/work/siyu_work.duckdb"):
        for pid in dbt_processes(work):
            subprocess.run(["kill", "-9", str(pid)], check=False)


@pytest.fixture(scope="module")
def baseline(landing, root) -> Baseline:
    """An uninterrupted run; while it ingests, a second run is started beside it."""
    deployment = Deployment(root / ".local" / "share" / "baseline", landing)
    deployment.reset()
    uninterrupted = deployment.start("uninterrupted")
    uninterrupted.wait_for_event(Event.ASSET_MATERIALIZATION, "raw_ingestion")
    run_id = uninterrupted.run_id()
    second = deployment.run("second, beside it")
    uninterrupted.process.wait(timeout=900)
    assert uninterrupted.process.returncode == 0, uninterrupted.describe()
    reference = root / "reference.duckdb"
    shutil.copy(deployment.published, reference)
    return Baseline(deployment, uninterrupted, run_id, second, reference)


def test_a_second_run_beside_a_running_one_is_refused_naming_it(baseline):
    second = baseline.second
    assert second.process.returncode == 2, second.describe()  # did not start
    assert (
        "NOT PUBLISHED: the run did not start: another siyu run is running on this working "
        f"warehouse: run {baseline.uninterrupted_run_id} (pid {baseline.uninterrupted.process.pid}"
    ) in second.summary
    assert "published:" in baseline.uninterrupted.summary  # the first run was not disturbed
    # the uninterrupted run's marts: every contract mart but the two empty by nature has rows
    assert mart_differences(baseline.reference, baseline.reference) == {}


class ReadWriteReader:
    """A BI tool's process holding a read-write connection on a published file."""

    def __init__(self, published: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", READ_WRITE_READER, str(published)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.publish_id = self.process.stdout.readline().strip()  # it holds the write lock now

    def publish_id_now(self) -> str:
        """The version it reads at the end; it lets go of the file."""
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        seen = self.process.stdout.readline().strip()
        self.process.communicate(timeout=60)
        return seen


def test_a_reader_holding_the_published_file_read_write_does_not_stop_a_run(baseline):
    """The run reads what it needs about the published version from beside the working
    warehouse; the publishing itself under such a reader is in the kill test below."""
    deployment = baseline.deployment
    reader = ReadWriteReader(deployment.published)
    try:
        run = deployment.run("with a read-write reader")
    finally:
        seen = reader.publish_id_now()
    assert run.process.returncode == 0, run.describe()
    assert f"unchanged: {deployment.published}, version {reader.publish_id}" in run.summary
    assert seen == reader.publish_id


def kill_at(deployment: Deployment, step: str) -> Run:
    """A run killed with SIGKILL at `step`, once the kill point is reached inside the step."""
    point = KILL_POINTS[step]
    killed = deployment.start(f"killed at {step}")
    moment = point.then(deployment) if point.then else None
    killed.wait_for_event(point.event, point.step_key, moment)
    dbt_when_killed = dbt_processes(deployment.work)
    killed.kill()
    finished = killed.steps(Event.STEP_SUCCESS) | killed.steps(Event.STEP_FAILURE)
    assert point.step_key not in finished, f"the kill must land inside {point.step_key}"
    if step == "dbt build":
        assert dbt_when_killed, "dbt was running"
        deadline = time.monotonic() + 30
        while dbt_processes(deployment.work) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert dbt_processes(deployment.work) == [], "no dbt outlives the killed run"
    if step == "publish":
        assert list(deployment.published.parent.glob(".siyu.duckdb.*.tmp")), "debris to clean"
    return killed


@pytest.mark.parametrize("step", list(KILL_POINTS))
def test_after_a_kill_at_each_step_the_next_run_completes_with_the_marts_of_an_uninterrupted_run(
    baseline, root, step
):
    """A deployment killed with SIGKILL at `step` of its first run; the next run completes,
    cleans what the killed one left, and publishes the marts of an uninterrupted run, row for
    row. A BI tool holds the published file open read-write all along (a file siyu did not
    record, as after an upgrade): the runs never need it, and the recovery publishes over it."""
    deployment = Deployment(
        root / ".local" / "share" / f"siyu 部署 {step}", baseline.deployment.landing
    )
    deployment.reset()
    deployment.published.parent.mkdir(parents=True)
    shutil.copy(baseline.reference, deployment.published)
    reader = ReadWriteReader(deployment.published)
    try:
        kill_at(deployment, step)
        recovery = deployment.run(f"after the kill at {step}")
    finally:
        seen = reader.publish_id_now()
    assert seen == reader.publish_id  # the reader kept its version

    assert recovery.process.returncode == 0, recovery.describe()
    assert f"published: {deployment.published}" in recovery.summary
    if step == "publish":
        assert "after an interrupted run: removed " in recovery.summary  # the publish's debris
    assert mart_differences(deployment.published, baseline.reference) == {}
    assert current_publish(deployment.work, deployment.published).publish_id != seen
    assert debris(deployment) == []
    assert dbt_processes(deployment.work) == []
    shutil.rmtree(deployment.root, ignore_errors=True)
