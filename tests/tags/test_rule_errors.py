"""Broken tag rules and audiences fail dbt with messages naming the YAML file and the tag.

Tag rules are checked while dbt parses (the catalogue's test tag_catalogue_is_valid), so `dbt parse`
fails, listing every broken tag; audiences are checked when audience_members compiles. One copy of
the dbt project gets the broken tags, another the broken audiences; both run side by side.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.tags.project import CATALOGUE, add_tags, copy_project, run_dbt_in

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

CATALOGUE_FILE = str(CATALOGUE)
AUDIENCE_FILE = "models/marts/tags/bad_audiences.yml"


def _tag(key: str, rule: str, value_type: str = "boolean", **more: str) -> dict:
    return {
        "key": key,
        "description": "A tag with a broken rule.",
        "owner": "tests",
        "value_type": value_type,
        "rule": rule,
        **more,
    }


BROKEN_TAGS = [
    _tag("bad_column", "gmvv > 100"),
    _tag("bad_reference", "tag('no_such_tag') = 'x'"),
    _tag("bad_syntax", "(gmv > > 100"),
    _tag("loop_a", "tag('loop_b')"),
    _tag("loop_b", "not tag('loop_a')"),
    _tag("bad_injection", "gmv > 1; drop table marts.dim_customer"),
    _tag("bad_type", "gmv", value_type="money"),
    _tag("bad_field", "gmv > 1", rulez="typo"),
    _tag("bad_history", "gmv > 1", history="daily"),
]

# tag -> what its line of the error must say (besides the file)
TAG_PROBLEMS = {
    "bad_column": 'unknown column "gmvv"',
    "bad_reference": 'unknown tag "no_such_tag"',
    "bad_syntax": 'a value is missing before ">" in `(gmv > > 100`',
    "loop_b": "refers back to itself (loop_a -> loop_b -> loop_a)",
    "bad_injection": 'comments and ";" are not allowed',
    "bad_type": 'value_type "money" is not one of boolean, text, integer, number',
    "bad_field": 'unknown field "rulez"',
    "bad_history": 'history "daily" is not one of changes, current',
}

BROKEN_AUDIENCES_YML = """
version: 2
exposures:
  - name: bad_audience
    type: application
    owner: {name: tests}
    depends_on: [ref('audience_members')]
    config:
      meta:
        siyu_audience:
          expression: lifecycle_stage = 'dormant' and not no_such_tag
          channels: [wecom]
  - name: bad_channel
    type: application
    owner: {name: tests}
    depends_on: [ref('audience_members')]
    config:
      meta:
        siyu_audience:
          expression: reachable_wecom or
          channels: [wechat_moments]
"""

AUDIENCE_PROBLEMS = {
    "bad_audience": 'unknown tag "no_such_tag"',
    "bad_channel": 'unknown channel "wechat_moments"',
}


def _broken_tags(root: Path) -> str:
    project = copy_project(root / "tags")
    add_tags(project, *BROKEN_TAGS)
    result = run_dbt_in(project, ["parse"], root / "tags.duckdb", check=False)
    assert result.returncode != 0, "dbt parse succeeded with broken tags"
    return result.stdout


def _broken_audiences(root: Path) -> str:
    project = copy_project(root / "audiences")
    (project / AUDIENCE_FILE).write_text(BROKEN_AUDIENCES_YML, encoding="utf-8")
    result = run_dbt_in(
        project, ["compile", "--select", "audience_members"], root / "audiences.duckdb", check=False
    )
    assert result.returncode != 0, "dbt compile succeeded with broken audiences"
    return result.stdout


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, list[str]]:
    """dbt's output lines (ANSI colours and wrapping aside) for broken tags and audiences."""
    root = tmp_path_factory.mktemp("rule_errors")
    with ThreadPoolExecutor(max_workers=2) as pool:
        tags = pool.submit(_broken_tags, root)
        audiences = pool.submit(_broken_audiences, root)
        return {"tags": tags.result().splitlines(), "audiences": audiences.result().splitlines()}


def _line_about(lines: list[str], prefix: str) -> str:
    matching = [line.strip() for line in lines if prefix in line]
    assert len(matching) == 1, f"{prefix!r} in:\n" + "\n".join(lines[-60:])
    return matching[0]


@pytest.mark.parametrize("tag_key", sorted(TAG_PROBLEMS))
def test_a_broken_rule_fails_dbt_parse_naming_the_file_and_the_tag(outputs, tag_key):
    line = _line_about(outputs["tags"], f"siyu tag catalogue, {CATALOGUE_FILE}, tag '{tag_key}'")
    assert TAG_PROBLEMS[tag_key] in line


def test_every_broken_tag_is_reported_at_once(outputs):
    assert any("9 problem(s) in the tag catalogue" in line for line in outputs["tags"])
    # loop_a only fails because loop_b does: that is reported too, the valid tags are not
    assert "whose rule is broken" in _line_about(outputs["tags"], "tag 'loop_a'")
    assert not any("tag 'rfm_segment'" in line for line in outputs["tags"])


@pytest.mark.parametrize("audience_key", sorted(AUDIENCE_PROBLEMS))
def test_a_broken_audience_fails_the_build_naming_the_file_and_the_audience(outputs, audience_key):
    line = _line_about(
        outputs["audiences"], f"siyu audience, {AUDIENCE_FILE}, audience '{audience_key}'"
    )
    assert AUDIENCE_PROBLEMS[audience_key] in line
