"""A siyu deployment in a temporary folder, and `python -m orchestration.run` started on it as a
separate process that the fault tests kill with SIGKILL at a chosen step."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from siyu.hash_key import KEY_ENV
from siyu.marts import contract_marts
from siyu.run_guard.lock import lock_path, read_holder
from siyu.settings import REPO_ROOT, environment_set
from tests.conftest import TEST_HASH_KEY

RUN_SECONDS = 900  # a whole run at the suite's scale takes about a minute on 2 busy cores
POLL_SECONDS = 0.02
# columns of contract marts that stamp the time of the run that wrote them: left out of the
# comparison with the uninterrupted run (identity_customer_id_changes is empty on a first run)
RUN_TIME_COLUMNS = {"identity_customer_id_changes": ["recorded_at_utc"]}


@dataclass(frozen=True)
class Deployment:
    """The folders of one deployment; `landing` may be shared between deployments."""

    root: Path
    landing: Path

    @property
    def published(self) -> Path:
        return self.root / "published" / "siyu.duckdb"

    @property
    def work(self) -> Path:
        return self.root / "work" / "siyu_work.duckdb"

    @property
    def parquet(self) -> Path:
        return self.root / "parquet"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    def environment(self) -> dict[str, str]:
        inherited = {name: value for name, value in os.environ.items() if "SIYU_" not in name}
        return {
            **inherited,
            "SIYU_LANDING_DIR": str(self.landing),
            "SIYU_WAREHOUSE": str(self.published),
            "SIYU_WORK_WAREHOUSE": str(self.work),
            "SIYU_PARQUET_DIR": str(self.parquet),
            "SIYU_REPORTS_DIR": str(self.root / "reports"),
            "SIYU_AUDIENCE_EXPORT_DIR": str(self.root / "audiences"),
            # CI's disk may be small; the preflight's own tests cover the default
            "SIYU_MIN_FREE_MB": "10",
            # the generated landing is not the committed sample: every run hashes with one key
            KEY_ENV: TEST_HASH_KEY.secret.decode(),
            "DAGSTER_HOME": str(self.dagster_home),
        }

    def reset(self) -> None:
        """An empty deployment (a first run), with Dagster's storage set up as `make run` does."""
        shutil.rmtree(self.root, ignore_errors=True)
        self.dagster_home.mkdir(parents=True)
        shutil.copy(REPO_ROOT / "dagster.yaml", self.dagster_home / "dagster.yaml")

    def start(self, name: str, **extra_environment: str) -> Run:
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        with (logs / f"{name}.out").open("w") as out, (logs / f"{name}.err").open("w") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "orchestration.run"],
                cwd=REPO_ROOT,
                env={**self.environment(), **extra_environment},
                stdout=out,
                stderr=err,
            )
        return Run(self, name, process)

    def run(self, name: str, **extra_environment: str) -> Run:
        """A run to its end."""
        run = self.start(name, **extra_environment)
        run.process.wait(timeout=RUN_SECONDS)
        return run

    @contextmanager
    def instance(self) -> Iterator[dg.DagsterInstance]:
        """The deployment's Dagster instance (its storage finds its folder by DAGSTER_HOME)."""
        with (
            environment_set({"DAGSTER_HOME": str(self.dagster_home)}),
            dg.DagsterInstance.from_config(str(self.dagster_home)) as instance,
        ):
            yield instance


@dataclass
class Run:
    deployment: Deployment
    name: str
    process: subprocess.Popen
    _run_id: str | None = field(default=None, repr=False)

    @property
    def summary(self) -> str:
        return (self.deployment.root / "logs" / f"{self.name}.out").read_text(encoding="utf-8")

    @property
    def log(self) -> str:
        return (self.deployment.root / "logs" / f"{self.name}.err").read_text(encoding="utf-8")

    def describe(self) -> str:
        return (
            f"run {self.name}, exit {self.process.returncode}:\n{self.summary}\n{self.log[-3000:]}"
        )

    def run_id(self) -> str:
        """The Dagster run id, from the run lock this process holds (waits until it does)."""
        if self._run_id is None:
            lock = lock_path(self.deployment.work)
            holder = self._wait_for(
                lambda: (holder := read_holder(lock)) and holder.pid == self.process.pid and holder,
                "the run lock",
            )
            self._run_id = holder.run_id
        return self._run_id

    def _wait_for(self, condition: Callable[[], object], what: str) -> object:
        deadline = time.monotonic() + RUN_SECONDS
        while not (value := condition()):
            if self.process.poll() is not None:
                raise AssertionError(f"waiting for {what}, the run ended: {self.describe()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {RUN_SECONDS} s for {what}: {self.describe()}")
            time.sleep(POLL_SECONDS)
        return value

    def wait_for_event(
        self, event_type: dg.DagsterEventType, step_key: str, then: Callable[[], bool] | None = None
    ) -> None:
        """Wait until the run logged `event_type` for `step_key` (and `then` holds)."""
        run_id = self.run_id()
        with self.deployment.instance() as instance:

            def happened() -> bool:
                entries = instance.all_logs(run_id, of_type=event_type)
                return any(entry.step_key == step_key for entry in entries)

            self._wait_for(happened, f"{event_type.value} of {step_key}")
        if then is not None:
            self._wait_for(then, f"{step_key}: the moment to kill")

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=60) == -signal.SIGKILL, self.describe()

    def steps(self, event_type: dg.DagsterEventType) -> set[str]:
        with self.deployment.instance() as instance:
            entries = instance.all_logs(self.run_id(), of_type=event_type)
        return {entry.step_key for entry in entries}


def dbt_processes(work: Path) -> list[int]:
    """Processes running dbt on the working warehouse `work` (read from /proc)."""
    wanted = f"SIYU_WORK_WAREHOUSE={work}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes().split(b"\0")
            command = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if wanted in environment and b"dbt" in command and state != "Z":
            found.append(int(entry.name))
    return found


def mart_differences(published: Path, reference: Path) -> dict[str, tuple[int, int, int]]:
    """Contract marts whose rows differ: mart -> (rows, rows of the reference, rows in only one
    of the two), compared row for row (as multisets), run-time stamp columns left out."""
    differences = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{published}' as run (read_only)")
        con.execute(f"attach '{reference}' as reference (read_only)")
        for mart in contract_marts():
            excluded = RUN_TIME_COLUMNS.get(mart)
            columns = f"* exclude ({', '.join(excluded)})" if excluded else "*"
            rows, reference_rows, unmatched = con.execute(
                f"""
                select
                    (select count(*) from run.marts.{mart}),
                    (select count(*) from reference.marts.{mart}),
                    (select count(*) from (
                        (select {columns} from run.marts.{mart}
                         except all select {columns} from reference.marts.{mart})
                        union all
                        (select {columns} from reference.marts.{mart}
                         except all select {columns} from run.marts.{mart})
                    ))
                """
            ).fetchone()
            if unmatched or rows != reference_rows:
                differences[mart] = (rows, reference_rows, unmatched)
    return differences


def debris(deployment: Deployment) -> list[str]:
    """What a finished run must not leave: staged copies and WALs beside the published file,
    Parquet folders current.json does not point at that are newer than it, staged pointers and
    preflight probes."""
    left = [
        path.name
        for path in deployment.published.parent.iterdir()
        if path.name != deployment.published.name
    ]
    current = json.loads((deployment.parquet / "current.json").read_text())["path"]
    left += [
        path.name
        for path in deployment.parquet.iterdir()
        if path.name != "current.json" and (not path.is_dir() or path.name > current)
    ]
    left += [path.name for path in deployment.work.parent.glob(".siyu_preflight.*")]
    return left
