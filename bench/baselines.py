"""The physical limits each phase is compared with, timed on the same files and edges.

* Ingestion: DuckDB's own `read_csv` / `read_json` of every landing file into a table of a
  DuckDB file, one statement a file, records DuckDB cannot parse skipped (`ignore_errors`).
  DuckDB cannot read GBK without an extension that is not installable offline, so a GBK/GB18030
  file is transcoded to UTF-8 by the same Python codec ingestion uses and the transcoding is
  timed as part of its read. Detecting the encoding is not timed.
* Identity: a round trip on the edges of `intermediate.int_identity__stitchable_edges` of the
  warehouse the run built: read the edges from DuckDB into arrays, label them with scipy's
  `connected_components` (building the sparse matrix it needs), write the labels into a table of
  a DuckDB file. The labelling alone is the baseline of `identity:components`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from siyu.ingestion.encoding import fingerprint, utf8_copy
from siyu.ingestion.landing import landing_files
from siyu.ingestion.specs import SourceSpec

UTF8 = ("utf-8", "utf-8-sig")


def _read_sql(spec: SourceSpec, path: Path) -> str:
    literal = "'" + str(path).replace("'", "''") + "'"
    if spec.is_delimited:
        reader = f"read_csv({literal}, header = true, all_varchar = true, ignore_errors = true)"
    elif spec.format == "jsonl":
        reader = f"read_json({literal}, format = 'newline_delimited', ignore_errors = true)"
    else:
        reader = f"read_json({literal}, ignore_errors = true)"
    return f"create or replace table baseline_read as select * from {reader}"


def _timed_read(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, path: Path, workdir: Path
) -> float:
    encoding = fingerprint(path).encoding  # not timed: a reader would be told the encoding
    started = time.perf_counter()
    readable = path if encoding in UTF8 else utf8_copy(path, encoding, workdir)
    con.execute(_read_sql(spec, readable))
    return time.perf_counter() - started


def ingestion_baseline(
    landing_dir: Path,
    specs: list[SourceSpec],
    database: Path,
    only: set[Path] | None = None,
    repeats: int = 2,
) -> dict[str, float]:
    """Seconds DuckDB takes to read each source's landing files (or those in `only`) into a
    table, per source: the fastest of `repeats` passes, as the identity baseline. One pass swung
    by a fifth between two sittings an hour apart (scale 10: 85.4 and 70.3 s)."""
    seconds: dict[str, float] = {}
    workdir = Path(tempfile.mkdtemp(prefix="siyu-bench-"))
    try:
        with duckdb.connect(str(database)) as con:
            for spec in specs:
                files = [
                    path
                    for path in landing_files(landing_dir, spec.name)
                    if only is None or path in only
                ]
                seconds[spec.name] = min(
                    sum(_timed_read(con, spec, path, workdir) for path in files)
                    for _ in range(repeats)
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return seconds


@dataclass(frozen=True)
class IdentityBaseline:
    seconds: float  # the round trip: read, label, write
    labelling_seconds: float  # connected_components alone
    nodes: int
    edges: int
    components: int


def read_identity_graph(con: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, np.ndarray, int]:
    """The stitchable edges (node indexes) and node count of a built warehouse."""
    edges = con.execute(
        "select left_node_index, right_node_index from intermediate.int_identity__stitchable_edges"
    ).fetchnumpy()
    node_count = con.execute("select count(*) from intermediate.int_identity__nodes").fetchone()[0]
    left = np.asarray(edges["left_node_index"], dtype=np.int64)
    right = np.asarray(edges["right_node_index"], dtype=np.int64)
    return left, right, int(node_count)


def label_components(left: np.ndarray, right: np.ndarray, node_count: int) -> np.ndarray:
    """Each node's component (scipy's weakly connected components of the edge list)."""
    weights = np.ones(left.shape[0], dtype=np.int8)
    graph = coo_matrix((weights, (left, right)), shape=(node_count, node_count)).tocsr()
    return connected_components(graph, directed=True, connection="weak")[1]


def write_labels(con: duckdb.DuckDBPyConnection, labels: np.ndarray) -> None:
    """The labels as a table (node_index, component) of `con`'s database."""
    frame = {"node_index": np.arange(labels.shape[0], dtype=np.int64), "component": labels}
    con.register("labels", frame)
    con.execute("create or replace table identity_labels as select * from labels")
    con.unregister("labels")


def identity_baseline(warehouse: Path, repeats: int = 3) -> IdentityBaseline:
    """Fastest of `repeats` round trips (read the run's edges, label, write the labels into a
    DuckDB file of its own), and fastest labelling alone."""
    round_trip = labelling = float("inf")
    scratch = Path(tempfile.mkdtemp(prefix="siyu-bench-identity-"))
    try:
        for repeat in range(repeats):
            started = time.perf_counter()
            with duckdb.connect(str(warehouse), read_only=True) as source:
                left, right, node_count = read_identity_graph(source)
            labelled = time.perf_counter()
            labels = label_components(left, right, node_count)
            written = time.perf_counter()
            with duckdb.connect(str(scratch / f"labels-{repeat}.duckdb")) as target:
                write_labels(target, labels)
            round_trip = min(round_trip, time.perf_counter() - started)
            labelling = min(labelling, written - labelled)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    components = int(labels.max()) + 1 if labels.shape[0] else 0
    return IdentityBaseline(round_trip, labelling, node_count, int(left.shape[0]), components)
