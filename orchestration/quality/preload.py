"""Load Great Expectations ahead of the first suite, while the run does other work.

Importing Great Expectations takes about 3 s of one core (pandas, scipy, its 300 expectation
classes), and the first suite of a run used to pay it on the critical path: right after the
ingestion steps, or after a dbt build. The steps that know suites will follow start the import
on a background thread instead, while the work they do leaves this interpreter mostly idle
(DuckDB reading export files outside the GIL, the dbt build in its own process):

- an ingestion step that loaded new files (the raw suites validate them next);
- the dbt step when it builds (the mart suites check the marts next).

A suite that starts before the import has finished waits for it (Python's import lock); if the
import fails, the suite's own import raises the error as before.
"""

from __future__ import annotations

import importlib
import threading

# what the suites import when they run (orchestration.quality.checks.validate)
SUITE_RUNNER_MODULE = "orchestration.quality.runner"

_started: set[str] = set()
_start_lock = threading.Lock()


def _import_quietly(module: str) -> None:
    try:
        importlib.import_module(module)
    except Exception:  # the suite's own import raises it again, where it is reported
        return


def start_loading_great_expectations(module: str = SUITE_RUNNER_MODULE) -> threading.Thread | None:
    """Import the suite runner (and with it Great Expectations) on a daemon thread, once per
    process; returns the thread when this call started it, else None."""
    with _start_lock:
        if module in _started:
            return None
        _started.add(module)
    thread = threading.Thread(
        target=_import_quietly, args=(module,), name="load-great-expectations", daemon=True
    )
    thread.start()
    return thread
