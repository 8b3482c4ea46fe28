"""The documentation stays a small site: a short README that links every page of docs/, links that
resolve inside the repository, and no paragraph copied from one markdown file into another."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"
README_MAX_BYTES = 12 * 1024
# a paragraph this long, found in two markdown files, is a copy of text that belongs on one page
COPIED_PARAGRAPH_CHARS = 300
# folders that hold no documentation of the project (generated, installed or run output)
NOT_DOCUMENTATION = {
    ".git",
    ".venv",
    ".dagster_home",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "__pycache__",
    "warehouse",
    "reports",
    "target",
    "logs",
    "dbt_packages",
}

FENCED_BLOCK = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`]*`")
# [text](target) and ![alt](target), with an optional "title" after the target
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")


def markdown_files() -> list[Path]:
    """Every markdown file of the repository, outside generated and installed folders."""
    found = []
    for folder, subfolders, files in os.walk(REPO_ROOT):
        subfolders[:] = sorted(name for name in subfolders if name not in NOT_DOCUMENTATION)
        found += [Path(folder) / name for name in sorted(files) if name.endswith(".md")]
    return found


def site_pages() -> list[Path]:
    """The pages whose links must resolve: the README, the changelog, docs/ and folder READMEs."""
    pages = [README, REPO_ROOT / "CHANGELOG.md", *sorted(DOCS.glob("*.md"))]
    pages += [path for path in markdown_files() if path.name == "README.md" and path != README]
    return pages


def without_code(text: str) -> str:
    """The text with fenced code blocks and inline code removed (links in code are examples)."""
    return INLINE_CODE.sub("", FENCED_BLOCK.sub("", text))


def relative_links(text: str) -> list[str]:
    """The targets of the markdown links and images in text that point inside the repository."""
    return [target for target in LINK.findall(without_code(text)) if not EXTERNAL.match(target)]


def heading_anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, markup and punctuation dropped, spaces to -."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[`*]", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a markdown file (repeated headings get -1, -2, ... as on GitHub)."""
    seen: dict[str, int] = defaultdict(int)
    found = set()
    for heading in HEADING.findall(FENCED_BLOCK.sub("", path.read_text(encoding="utf-8"))):
        anchor = heading_anchor(heading)
        found.add(f"{anchor}-{seen[anchor]}" if seen[anchor] else anchor)
        seen[anchor] += 1
    return found


def broken_link(page: Path, target: str) -> str | None:
    """Why a relative link of page does not resolve inside the repository, or None."""
    path_part, _, anchor = target.partition("#")
    linked = (page.parent / path_part).resolve() if path_part else page
    if not linked.is_relative_to(REPO_ROOT):
        return "points outside the repository"
    if not linked.exists():
        return "no such file or folder"
    if anchor and linked.suffix == ".md" and anchor.lower() not in anchors(linked):
        return f"no heading #{anchor} in {linked.relative_to(REPO_ROOT)}"
    return None


def paragraphs(text: str) -> list[str]:
    """The blocks of text between blank lines, each list item on its own, white space collapsed."""
    found = []
    for block in re.split(r"\n[ \t]*\n", text):
        item: list[str] = []
        for line in block.splitlines():
            if LIST_ITEM.match(line) and item:
                found.append(" ".join(" ".join(item).split()))
                item = []
            item.append(line)
        found.append(" ".join(" ".join(item).split()))
    return [paragraph for paragraph in found if paragraph]


def test_the_readme_is_a_front_door_not_the_manual():
    size = len(README.read_bytes())
    assert size < README_MAX_BYTES, (
        f"README.md is {size:,} bytes (at most {README_MAX_BYTES:,}): move the detail into docs/"
    )


@pytest.mark.parametrize("page", site_pages(), ids=lambda page: str(page.relative_to(REPO_ROOT)))
def test_every_relative_link_resolves_inside_the_repository(page: Path):
    problems = [
        f"({target}): {why}"
        for target in relative_links(page.read_text(encoding="utf-8"))
        if (why := broken_link(page, target))
    ]
    assert not problems, f"{page.relative_to(REPO_ROOT)}: broken links " + "; ".join(problems)


def test_every_docs_page_is_linked_from_the_readme():
    linked = {
        (README.parent / target.partition("#")[0]).resolve()
        for target in relative_links(README.read_text(encoding="utf-8"))
    }
    unlinked = [page.name for page in sorted(DOCS.glob("*.md")) if page.resolve() not in linked]
    assert not unlinked, f"docs pages the README does not link: {unlinked}"


def test_no_paragraph_is_copied_between_markdown_files():
    where: dict[str, set[str]] = defaultdict(set)
    for path in markdown_files():
        for paragraph in paragraphs(path.read_text(encoding="utf-8")):
            if len(paragraph) >= COPIED_PARAGRAPH_CHARS:
                where[paragraph].add(str(path.relative_to(REPO_ROOT)))
    copies = [
        f"{sorted(files)}: {paragraph[:80]}..."
        for paragraph, files in where.items()
        if len(files) > 1
    ]
    assert not copies, "paragraphs in more than one file (keep each on one page, link it):\n" + (
        "\n".join(copies)
    )


def test_the_checks_catch_what_they_are_for():
    """The helpers find links, anchors and copies as a reader would, so the tests above can fail."""
    text = (
        "See [the page](docs/x.md#a-b), ![chart](images/c.png), [web](https://a.b), "
        "[mail](mailto:a@b.c) and `[code](not/a/link.md)`.\n\n```\n[block](nor/this.md)\n```\n"
        "- an item\n  ```\n  [indented](block.md)\n  ```\n- `a span [over](two.md)\n  lines`\n"
    )
    assert relative_links(text) == ["docs/x.md#a-b", "images/c.png"]
    assert heading_anchor("Write-audit-publish: what BI tools see") == (
        "write-audit-publish-what-bi-tools-see"
    )
    assert heading_anchor("`fct_campaign_roi`: one row per campaign") == (
        "fct_campaign_roi-one-row-per-campaign"
    )
    assert broken_link(README, "docs/no-such-page.md") == "no such file or folder"
    assert broken_link(README, "../outside.md") == "points outside the repository"
    assert broken_link(README, "#no-such-heading").startswith("no heading")
    assert broken_link(README, "#the-hashing-key") is None
    items = paragraphs("intro line\n- first item\n  continued\n- second item\n\nnext block")
    assert items == ["intro line", "- first item continued", "- second item", "next block"]
