"""What loading did with each file of a source: loaded, skipped or refused, and its row counts."""

from __future__ import annotations

from dataclasses import dataclass, field

ALREADY_LOADED = "already loaded"


@dataclass
class FileOutcome:
    file_name: str
    file_hash: str
    status: str  # loaded | skipped | refused
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    encoding: str = ""
    detail: str = ""


@dataclass
class SourceIngestReport:
    source: str
    files: list[FileOutcome] = field(default_factory=list)

    def _sum(self, attribute: str) -> int:
        return sum(getattr(outcome, attribute) for outcome in self.files)

    @property
    def rows_read(self) -> int:
        return self._sum("rows_read")

    @property
    def rows_loaded(self) -> int:
        return self._sum("rows_loaded")

    @property
    def rows_quarantined(self) -> int:
        return self._sum("rows_quarantined")

    def files_with(self, status: str) -> list[FileOutcome]:
        return [outcome for outcome in self.files if outcome.status == status]

    @property
    def refused(self) -> list[FileOutcome]:
        return self.files_with("refused")


def refusal_message(report: SourceIngestReport) -> str:
    lines = [f"{report.source}: {len(report.refused)} file(s) refused, nothing of them loaded:"]
    lines += [f"  - {outcome.file_name}: {outcome.detail}" for outcome in report.refused]
    return "\n".join(lines)
