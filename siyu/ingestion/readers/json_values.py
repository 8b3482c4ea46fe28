"""Picking a source's raw columns out of JSON records (both JSON readers)."""

from __future__ import annotations

from collections.abc import Sequence

from siyu.ingestion.specs import SourceSpec
from siyu.ingestion.sql import literal, quote


def json_paths(paths: Sequence[str]) -> str:
    return "[" + ", ".join(literal("$." + path) for path in paths) + "]"


def json_values(spec: SourceSpec, record: str) -> tuple[dict[str, str], str]:
    """SQL that parses each record once: (list name -> the expression extracting all its paths
    as a list, the raw columns picked from those lists). `^.field` paths read `_parent`."""
    own = [path for path in spec.columns.values() if not path.startswith("^.")]
    inherited = [path[2:] for path in spec.columns.values() if path.startswith("^.")]
    lists = {"_own_values": f"json_extract_string({record}, {json_paths(own)})"}
    if inherited:
        lists["_parent_values"] = f"json_extract_string(_parent, {json_paths(inherited)})"
    picked = []
    own_index = parent_index = 0
    for raw, path in spec.columns.items():
        if path.startswith("^."):
            parent_index += 1
            picked.append(f"_parent_values[{parent_index}] as {quote(raw)}")
        else:
            own_index += 1
            picked.append(f"_own_values[{own_index}] as {quote(raw)}")
    return lists, ",\n".join(picked)
