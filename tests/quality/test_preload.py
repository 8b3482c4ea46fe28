"""The background import of Great Expectations: once per process, silent when it fails."""

from __future__ import annotations

import importlib
import sys
import threading
from pathlib import Path

import pytest

from orchestration.quality import preload


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
