"""What a dbt parse depends on, and the parse state kept between runs (no Dagster here: the
project and its manifest are built in orchestration/dbt/project.py)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

# what `dbt parse` reads: a change to any of these makes a new manifest
PARSE_INPUTS = (
    "dbt_project.yml",
    "profiles.yml",
    "models",
    "macros",
    "seeds",
    "snapshots",
    "tests",
    "analyses",
)
FINGERPRINT_FILE = "siyu_parse_fingerprint.txt"
PARSE_LOCK_FILE = ".siyu_parse.lock"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
MANIFEST_FILE = "manifest.json"

ENV_VAR_PATTERN = re.compile(rb"env_var\(\s*['\"]([A-Za-z0-9_]+)['\"]")
# connection settings: they decide where dbt builds, not what the project's graph is
CONNECTION_FILES = frozenset({"profiles.yml"})


def parse_fingerprint(project_dir: Path, target: str, environ: Mapping[str, str]) -> str:
    """A digest of everything the parsed graph depends on: the project's files, the target, the
    dbt version, and the values of the environment variables the project reads with env_var()
    (outside the connection profile, whose paths differ per run and do not shape the graph)."""
    from dbt.version import __version__ as dbt_version

    digest = hashlib.sha256(f"{dbt_version}\0{target}\0".encode())
    read_vars: set[str] = set()
    for entry in PARSE_INPUTS:
        root = project_dir / entry
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                content = path.read_bytes()
                digest.update(str(path.relative_to(project_dir)).encode() + b"\0")
                digest.update(hashlib.sha256(content).digest())
                if path.name not in CONNECTION_FILES:
                    read_vars.update(name.decode() for name in ENV_VAR_PATTERN.findall(content))
    for name in sorted(read_vars):
        digest.update(f"{name}={environ.get(name)}\0".encode())
    return digest.hexdigest()


@contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` (created if missing) across processes."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def keep_partial_parse(run_target: Path, project_target: Path) -> None:
    """Keep the build's partial-parse state for the next run.

    dagster-dbt starts each invocation from the project target's `partial_parse.msgpack`; dbt
    throws that state away (a full parse, 8-13 s here) when the profile differs, e.g. another
    working warehouse path. Copying the state of the last build back means the next run of the
    same deployment parses only what changed. Replaced atomically: runs may overlap.
    """
    built = Path(run_target) / PARTIAL_PARSE_FILE
    if not built.exists():
        return
    project_target.mkdir(parents=True, exist_ok=True)
    staged = project_target / f".{PARTIAL_PARSE_FILE}.{os.getpid()}"
    shutil.copyfile(built, staged)
    os.replace(staged, project_target / PARTIAL_PARSE_FILE)
