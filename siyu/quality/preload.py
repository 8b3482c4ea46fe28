"""Load Great Expectations ahead of the mart suites, while dbt builds in its own process.

Importing Great Expectations takes about 3 s of one core (pandas, scipy, its 300 expectation
classes). When the raw suites had nothing new to validate (a run after a change to the models, a
forced rebuild, an erasure), the first mart suite paid it after the dbt build. The dbt step now
starts the import on a background thread when it builds: this interpreter only streams dbt's
events meanwhile, so the import costs the run nothing.

Starting it while the exports load was measured and dropped: the import holds the GIL, and
ingestion slowed by about what the raw suites saved (scale 1, ingestion and raw suites, five
pairs alternating: 16.9 s with, 17.3 s without, runs spread 14.6-21.1 s; the daily incremental
run's ingestion went from about 2 s to 6.8 s).

A suite that starts before the import has finished waits for it; if the import fails, the
suite's own import raises the error as before. Every import of the suite runner goes through
import_suite_runner, one thread at a time: two threads importing Great Expectations at once can
see one of its modules half initialised (its packages import each other; a run's suite failed
with "partially initialized module 'sqlalchemy.orm.exc'" while Dagster imported SQLAlchemy's
modules on another thread), which Python's per-module import locks do not prevent. For the same
reason the raw suites' step hands its results to Dagster only after its threads are done.
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType

# what the suites import when they run (orchestration.quality.checks.validate)
SUITE_RUNNER_MODULE = "siyu.quality.runner"
# imported by Dagster itself, lazily, when it handles an asset check result (its storage), and by
# Great Expectations: loaded on the calling thread before the background import starts
SHARED_WITH_DAGSTER = ("sqlalchemy.orm",)

_started: set[str] = set()
_start_lock = threading.Lock()
_import_lock = threading.Lock()


def import_suite_runner(module: str = SUITE_RUNNER_MODULE) -> ModuleType:
    """The module, imported by one thread at a time (a thread that comes second waits for the
    first import to finish)."""
    with _import_lock:
        return importlib.import_module(module)


def _import_quietly(module: str) -> None:
    try:
        import_suite_runner(module)
    except Exception:  # the suite's own import raises it again, where it is reported
        return


def start_loading_great_expectations(module: str = SUITE_RUNNER_MODULE) -> threading.Thread | None:
    """Import the suite runner (and with it Great Expectations) on a daemon thread, once per
    process; returns the thread when this call started it, else None. The calling thread goes on
    handling Dagster's events meanwhile, so the modules both import are loaded here first."""
    with _start_lock:
        if module in _started:
            return None
        _started.add(module)
    for shared in SHARED_WITH_DAGSTER:  # usually loaded already; cheap when not
        importlib.import_module(shared)
    thread = threading.Thread(
        target=_import_quietly, args=(module,), name="load-great-expectations", daemon=True
    )
    thread.start()
    return thread
