"""The background import of Great Expectations: once per process, silent when it fails."""

from __future__ import annotations

import importlib
import sys
import threading
from pathlib import Path

import pytest

from siyu.quality import preload


def write_module(folder: Path, name: str, body: str) -> str:
    (folder / f"{name}.py").write_text(body, encoding="utf-8")
    return name


def test_the_module_is_imported_on_a_thread_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    module = write_module(
        tmp_path,
        "siyu_preload_probe",
        "import threading\nIMPORTED_BY = threading.current_thread().name\n",
    )
    monkeypatch.delitem(sys.modules, module, raising=False)

    thread = preload.start_loading_great_expectations(module)
    assert thread is not None
    thread.join(timeout=30)
    assert sys.modules[module].IMPORTED_BY == "load-great-expectations"
    assert preload.start_loading_great_expectations(module) is None  # already started


def test_a_failing_import_stays_quiet_and_fails_again_where_the_suite_imports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.syspath_prepend(str(tmp_path))
    module = write_module(tmp_path, "siyu_preload_broken", "raise ImportError('no such engine')\n")
    uncaught: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", uncaught.append)

    thread = preload.start_loading_great_expectations(module)
    assert thread is not None
    thread.join(timeout=30)
    assert uncaught == []
    with pytest.raises(ImportError, match="no such engine"):
        __import__(module)


def test_the_default_is_the_module_the_checks_run_suites_with():
    runner = importlib.import_module(preload.SUITE_RUNNER_MODULE)
    assert callable(runner.run_suite)


def test_two_threads_importing_modules_that_import_each_other_both_get_them_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Thread 1 imports a (which imports b halfway), thread 2 imports b (which imports a) while
    a is halfway: with Python's per-module locks alone one of them gets a module half
    initialised (`partially initialized module`); import_suite_runner makes thread 2 wait."""
    monkeypatch.syspath_prepend(str(tmp_path))
    write_module(tmp_path, "siyu_probe_sync", "import threading\nA_HALFWAY = threading.Event()\n")
    write_module(
        tmp_path,
        "siyu_probe_a",
        "import siyu_probe_sync\n"
        "A = 'a'\n"
        "siyu_probe_sync.A_HALFWAY.set()\n"
        "import time\ntime.sleep(0.5)\n"
        "from siyu_probe_b import B\n",
    )
    write_module(tmp_path, "siyu_probe_b", "import siyu_probe_a\nB = 'b' + siyu_probe_a.A\n")
    for name in ("siyu_probe_sync", "siyu_probe_a", "siyu_probe_b"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    import siyu_probe_sync

    errors: list[BaseException] = []

    def import_b_when_a_is_halfway() -> None:
        siyu_probe_sync.A_HALFWAY.wait(timeout=30)
        try:
            preload.import_suite_runner("siyu_probe_b")
        except BaseException as error:
            errors.append(error)

    second = threading.Thread(target=import_b_when_a_is_halfway)
    second.start()
    module_a = preload.import_suite_runner("siyu_probe_a")
    second.join(timeout=30)

    assert errors == []
    assert module_a.B == "ba"
    assert sys.modules["siyu_probe_b"].B == "ba"
