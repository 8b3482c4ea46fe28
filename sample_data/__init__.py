"""Deterministic synthetic sample data: a brand's channel exports in each platform's real format.

`python -m sample_data --scale 0.02 --seed 42 --out seeds` writes
`seeds/landing/<source>/...` (what siyu ingests) and `seeds/ground_truth/...` (who is who, junk
identifiers, campaigns, planted faults, a manifest). Scale 1 is 100,000 people. The same
arguments always give byte-identical files, and a delivery cut with `--until D-1` plus one cut with
`--only-day D` holds exactly the records of `--until D`.
"""

from .generator import DEFAULT_END, DEFAULT_START, SOURCES, Manifest, build_world, generate

__all__ = ["DEFAULT_END", "DEFAULT_START", "SOURCES", "Manifest", "build_world", "generate"]
