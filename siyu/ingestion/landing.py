"""What lies in the landing folder: each source's files, and what siyu does not read.

Names are judged relative to the landing folder, so a landing folder under a dot-directory
(`~/.local/share/siyu/landing`, `/srv/.data/landing`) is read like any other; inside it, a name
starting with a dot (`.DS_Store`, `.partial-upload.csv`, a `.cache/` folder) is ignored.
Nothing here follows a symbolic link: a link, or a FIFO, device or socket, is listed (so that
ingestion can refuse it by name) and never read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# what an entry that is not a regular file or a folder is called in a refusal
SPECIAL_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def is_hidden(name: str) -> bool:
    return name.startswith(".")


def _entries(folder: Path) -> Iterator[os.DirEntry[str]]:
    with os.scandir(folder) as scan:
        yield from (entry for entry in scan if not is_hidden(entry.name))


def _walk(folder: Path) -> Iterator[Path]:
    """Every entry under `folder` that is not a real folder (files, links, special files),
    descending into real sub-folders only."""
    for entry in _entries(folder):
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        else:
            yield Path(entry.path)


def landing_files(landing_dir: Path, source: str) -> list[Path]:
    """Every delivered entry of a source, in a stable order: its files, and any link or special
    file among them (for ingestion to refuse; see `not_a_regular_file`). A source folder that is
    itself a link is returned alone and is never followed."""
    folder = landing_dir / source
    if folder.is_symlink():
        return [folder]
    if not folder.is_dir():
        return []
    return sorted(_walk(folder))


def not_a_regular_file(path: Path) -> str | None:
    """Why ingestion must not read `path` (a link or a special file), or None for a regular file.
    Only the entry itself is examined (lstat): a link is never followed."""
    mode = path.lstat().st_mode
    if stat.S_ISLNK(mode):
        return (
            f"a symbolic link (to {os.readlink(path)}): siyu never follows links in the landing "
            "folder; put the file itself there"
        )
    if stat.S_ISREG(mode):
        return None
    kind = SPECIAL_KINDS.get(stat.S_IFMT(mode), "not a regular file")
    return f"{kind}, not a regular file: siyu reads only regular files"


@dataclass
class LandingInventory:
    """What siyu does not read at the top of the landing folder: folders it has no source for
    (with how many entries each holds) and entries directly in the landing folder."""

    unknown_folders: dict[str, int] = field(default_factory=dict)
    stray_files: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line each for the unknown folders and the stray files; none when there are none."""
        lines = []
        if self.unknown_folders:
            listed = ", ".join(
                f"{name}/ ({count} file(s))" for name, count in self.unknown_folders.items()
            )
            lines.append(f"not read, no source of that name: {listed}")
        if self.stray_files:
            lines.append("not read, not in a source folder: " + ", ".join(self.stray_files))
        return lines


def landing_inventory(landing_dir: Path, known_folders: Collection[str]) -> LandingInventory:
    """The unknown folders and stray files of the landing folder (dot-names are ignored; a link
    named like a known folder is that source's, and ingestion refuses it)."""
    inventory = LandingInventory()
    if not landing_dir.is_dir():
        return inventory
    for entry in sorted(_entries(landing_dir), key=lambda entry: entry.name):
        if entry.name in known_folders:
            continue
        if entry.is_dir(follow_symlinks=False):
            inventory.unknown_folders[entry.name] = sum(1 for _ in _walk(Path(entry.path)))
        else:
            inventory.stray_files.append(entry.name)
    return inventory
