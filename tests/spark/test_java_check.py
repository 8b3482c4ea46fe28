"""Without a Java runtime the spark target stops with a message saying what to install."""

from __future__ import annotations

import pytest

from siyu import spark


def test_no_java_is_reported_with_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert spark.java_home() is None
    with pytest.raises(RuntimeError, match="openjdk-17-jre-headless"):
        spark.require_java()


def test_java_home_with_a_java_binary_is_used(monkeypatch, tmp_path):
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\n")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    assert spark.java_home() == str(tmp_path / "jdk")
    spark.require_java()
