"""Each vocabulary lives once, in its registry: the channels (var siyu_channels of
dbt_project.yml), the identifier types (seed identity_id_types) and the attribution models (seed
attribution_models). Nothing else in the project lists two or more of their values by hand."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from siyu.registry import attribution_models, channels, id_types
from siyu.settings import REPO_ROOT

VOCABULARIES = {
    "channels": set(channels()),
    "identifier types": set(id_types()),
    "attribution models": set(attribution_models()),
}
# where the lists may live: the registries themselves, and the audiences, whose channels are an
# analyst's choice among the registry's (checked against it when dbt parses: audience_catalogue)
REGISTRY_FILES = {
    Path("dbt_project/dbt_project.yml"),
    Path("dbt_project/models/marts/tags/audiences.yml"),
}
SCANNED = ("dbt_project/models", "dbt_project/macros", "dbt_project/tests", "dbt_project/seeds")
SCANNED += ("expectations", "orchestration", "siyu")
SUFFIXES = {".sql", ".yml", ".yaml", ".json", ".py", ".md"}
WORD = r"""['"`][a-z][a-z0-9_]*['"`]"""
QUOTED = re.compile(r"""['"`]([a-z][a-z0-9_]*)['"`]""")
# a run of quoted words joined by commas, "or" or "and", on one line or across lines:
# 'a', 'b' or ("a",\n "b") or `a` or `b`
LISTED = re.compile(WORD + r"(?:\s*(?:,|or|and)\s*" + WORD + ")+")


def project_files() -> Iterator[Path]:
    for folder in SCANNED:
        for path in sorted((REPO_ROOT / folder).rglob("*")):
            relative = path.relative_to(REPO_ROOT)
            skipped = {"target", "__pycache__"} & set(relative.parts)
            if path.suffix in SUFFIXES and relative not in REGISTRY_FILES and not skipped:
                yield relative


def listed_values(values: list[str]) -> dict[str, set[str]]:
    """The vocabularies of which `values` names two or more distinct members."""
    found = {}
    for name, vocabulary in VOCABULARIES.items():
        members = vocabulary & set(values)
        if len(members) >= 2:
            found[name] = members
    return found


def structured_lists(value: object) -> Iterator[list[str]]:
    """Every list of strings inside parsed YAML or JSON."""
    if isinstance(value, dict):
        for item in value.values():
            yield from structured_lists(item)
    elif isinstance(value, list):
        yield [item for item in value if isinstance(item, str)]
        for item in value:
            yield from structured_lists(item)


def literal_lists(path: Path) -> list[str]:
    """Where a file lists two or more values of one vocabulary, as 'line n: vocabulary {...}'."""
    text = (REPO_ROOT / path).read_text(encoding="utf-8")
    problems = []
    for match in LISTED.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        for name, members in listed_values(QUOTED.findall(match.group(0))).items():
            problems.append(f"line {line}: {name} {sorted(members)}")
    if path.suffix in {".yml", ".yaml", ".json"}:
        parsed = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        for values in structured_lists(parsed):
            for name, members in listed_values(values).items():
                problems.append(f"a list: {name} {sorted(members)}")
    return sorted(set(problems))


def test_the_registries_hold_what_the_project_runs_on():
    assert {"mini_program", "store", "tmall", "douyin"} <= {
        name for name, channel in channels().items() if channel.sells
    }
    assert {"phone_hash", "unionid"} <= VOCABULARIES["identifier types"]
    assert len(VOCABULARIES["attribution models"]) >= 2


def test_the_scan_finds_a_hand_written_list():
    """The scan is not blind: a YAML accepted_values list and a Python tuple are both caught."""
    sells = sorted(name for name, channel in channels().items() if channel.sells)[:2]
    line = f"values: ['{sells[0]}', '{sells[1]}']"
    assert listed_values(QUOTED.findall(LISTED.search(line).group(0))) == {"channels": set(sells)}
    models = list(attribution_models())[:2]
    text = f'ORDER = (\n    "{models[0]}",\n    "{models[1]}",\n)'
    found = listed_values(QUOTED.findall(LISTED.search(text).group(0)))
    assert found == {"attribution models": set(models)}
    choice = f"case when x then '{models[0]}' else '{models[1]}' end"
    assert LISTED.search(choice) is None


@pytest.mark.parametrize("path", list(project_files()), ids=str)
def test_no_file_lists_a_registry_by_hand(path):
    assert literal_lists(path) == [], (
        f"{path} lists registry values by hand; read the registry instead "
        "(macro channel_names, relationships tests, siyu/registry.py)"
    )
