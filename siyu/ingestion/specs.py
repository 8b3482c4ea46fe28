"""The raw layer's contract, read from sources.yml: one SourceSpec per landing sub-folder."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SPEC_FILE = Path(__file__).with_name("sources.yml")
FORMATS = frozenset({"csv", "json_pages", "jsonl", "wechatpay_bill"})
VALUE_FORMATS = frozenset({"local_datetime", "date", "digits", "amount"})
LINEAGE_COLUMNS = ("_file_name", "_file_hash", "_row_number", "_loaded_at")


@dataclass(frozen=True)
class SourceSpec:
    """How one channel export is read into `raw.<name>`."""

    name: str
    format: str
    columns: dict[str, str]
    required: tuple[str, ...] = ()
    not_empty: tuple[str, ...] = ()
    records: str | None = None
    ok_when: dict[str, object] | None = None
    formats: dict[str, str] = field(default_factory=dict)
    identifiers: dict[str, list[str]] = field(default_factory=dict)
    # identity type -> columns in which a record names another person (`column?param`: a
    # parameter of a query string); erasing that person cuts the mention out (siyu/erasure)
    mentions: dict[str, list[str]] = field(default_factory=dict)
    # columns holding names, addresses or free text people typed: the audit refuses to publish a
    # mart value equal to one of them (siyu/publish/audit.py)
    personal_text: tuple[str, ...] = ()

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}"

    @property
    def is_delimited(self) -> bool:
        return self.format in ("csv", "wechatpay_bill")


def _spec_from_mapping(name: str, entry: dict) -> SourceSpec:
    spec = SourceSpec(
        name=name,
        format=entry["format"],
        columns=dict(entry["columns"]),
        required=tuple(entry.get("required", ())),
        not_empty=tuple(entry.get("not_empty", ())),
        records=entry.get("records"),
        ok_when=entry.get("ok_when"),
        formats=dict(entry.get("formats") or {}),
        identifiers={k: list(v) for k, v in (entry.get("identifiers") or {}).items()},
        mentions={k: list(v) for k, v in (entry.get("mentions") or {}).items()},
        personal_text=tuple(entry.get("personal_text", ())),
    )
    if spec.format not in FORMATS:
        raise ValueError(f"sources.yml: {name}: unknown format {spec.format!r}")
    bad_formats = {col: kind for col, kind in spec.formats.items() if kind not in VALUE_FORMATS}
    if bad_formats:
        raise ValueError(f"sources.yml: {name}: unknown value formats {bad_formats}")
    identifier_columns = {
        column.removesuffix("[]").split(".")[0]
        for columns in spec.identifiers.values()
        for column in columns
    }
    mentions = [mention for columns in spec.mentions.values() for mention in columns]
    malformed = [mention for mention in mentions if not re.fullmatch(r"\w+\?\w+", mention)]
    if malformed:
        raise ValueError(
            f"sources.yml: {name}: mentions must read column?param (a parameter of a query "
            f"string in that column): {malformed}"
        )
    mention_columns = {mention.split("?")[0] for mention in mentions}
    unknown = set(spec.required) | set(spec.not_empty) | set(spec.formats) | identifier_columns
    unknown |= mention_columns
    unknown |= set(spec.personal_text)
    unknown -= set(spec.columns)
    if unknown:
        raise ValueError(f"sources.yml: {name}: rules name unknown columns {sorted(unknown)}")
    if spec.format == "json_pages" and not spec.records:
        raise ValueError(f"sources.yml: {name}: json_pages needs `records`")
    return spec


def load_source_specs(path: Path = SPEC_FILE) -> dict[str, SourceSpec]:
    """Read every source spec, validating formats and rule columns."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {name: _spec_from_mapping(name, entry) for name, entry in entries.items()}
