"""Cutting a source's records into the files of one delivery and writing them byte-exactly."""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from .clock import date_of, day_number, format_day, format_month, month_number
from .export import (
    BillLayout,
    CsvLayout,
    ExportTable,
    FaultKind,
    JsonLinesLayout,
    JsonPagesLayout,
    PageContext,
    Split,
)

CHUNK_LINES = 20_000


@dataclass(frozen=True)
class Delivery:
    """Which records a run writes: everything up to `until`, or the records of `only_day`."""

    until_day: int
    only_day: int | None = None

    def includes(self, days: np.ndarray) -> np.ndarray:
        if self.only_day is not None:
            return days == self.only_day
        return days <= self.until_day

    @property
    def label(self) -> str:
        day = self.only_day if self.only_day is not None else self.until_day
        return date_of(day).isoformat()

    def file_groups(self, split: Split, days: np.ndarray) -> tuple[np.ndarray, dict[int, str]]:
        """A group key per record and each group's file stem suffix."""
        if self.only_day is not None:
            return np.zeros(len(days), dtype=np.int64), {0: self.label}
        if split is Split.SNAPSHOT:
            return np.zeros(len(days), dtype=np.int64), {0: f"upto_{self.label}"}
        if split is Split.MONTH:
            keys = month_number(days)
            firsts = np.unique(keys, return_index=True)[1]
            names = format_month(days[firsts])
            return keys, dict(zip(keys[firsts].tolist(), names, strict=True))
        keys = days.astype(np.int64)
        unique = np.unique(keys)
        return keys, dict(zip(unique.tolist(), format_day(unique), strict=True))


@dataclass(frozen=True)
class WrittenFile:
    path: str  # relative to the landing folder
    rows: int


@dataclass(frozen=True)
class FaultRow:
    source: str
    file: str
    row_number: int | None
    field: str
    fault: str


@dataclass
class _Group:
    stem: str
    indices: np.ndarray


def _groups(table: ExportTable, delivery: Delivery) -> Iterator[_Group]:
    selected = np.flatnonzero(delivery.includes(table.days))
    if len(selected) == 0:
        return
    keys, names = delivery.file_groups(table.layout.split, table.days[selected])
    order = np.lexsort((selected, table.sort_key[selected], keys))
    selected, keys = selected[order], keys[order]
    boundaries = np.flatnonzero(np.diff(keys)) + 1
    for chunk, key_chunk in zip(
        np.split(selected, boundaries), np.split(keys, boundaries), strict=True
    ):
        yield _Group(f"{table.layout.prefix}_{names[int(key_chunk[0])]}", chunk)


def csv_field(value: str) -> str:
    """Quote only where CSV requires it; `="..."` and trailing tabs stay as delivered."""
    if "," in value or "\n" in value or "\r" in value or value.startswith('"'):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_line(fields: Sequence[str], quoted: frozenset[int] = frozenset()) -> str:
    """Fields at the positions in `quoted` are always double-quoted, the others only if needed."""
    if not quoted:
        return ",".join(csv_field(value) for value in fields)
    return ",".join(
        '"' + value.replace('"', '""') + '"' if k in quoted else csv_field(value)
        for k, value in enumerate(fields)
    )


class _Writer:
    def __init__(self, table: ExportTable, landing: Path) -> None:
        self.table = table
        self.folder = landing / table.source
        self.files: list[WrittenFile] = []
        self.faults: list[FaultRow] = []

    def _path(self, name: str) -> str:
        return f"{self.table.source}/{name}"

    def _note_faults(self, name: str, indices: np.ndarray) -> None:
        for row_number, index in enumerate(indices.tolist(), start=1):
            fault = self.table.faults.get(index)
            if fault is not None and fault.kind is not FaultKind.ERROR_PAGE:
                self.faults.append(
                    FaultRow(
                        self.table.source,
                        self._path(name),
                        row_number,
                        fault.field,
                        fault.description,
                    )
                )

    def _write_lines(
        self,
        name: str,
        header: list[str],
        lines: Iterator[str],
        encoding: str,
        newline: str,
        footer: list[str] | None = None,
    ) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # a BOM starts the file once; utf-8-sig on every chunk would repeat it mid-file
        chunk_encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        with (self.folder / name).open("wb") as handle:
            if encoding == "utf-8-sig":
                handle.write(codecs.BOM_UTF8)
            buffer = list(header)
            for line in lines:
                buffer.append(line)
                if len(buffer) >= CHUNK_LINES:
                    handle.write(("".join(x + newline for x in buffer)).encode(chunk_encoding))
                    buffer = []
            buffer.extend(footer or [])
            handle.write(("".join(x + newline for x in buffer)).encode(chunk_encoding))

    def write_csv(self, layout: CsvLayout, group: _Group) -> None:
        name = f"{group.stem}.csv"
        rows = self.table.rows
        faults = self.table.faults
        header = list(layout.header)
        older = layout.newer_columns > 0 and (
            int(self.table.days[group.indices[0]]) < layout.newer_from_day
        )
        width = len(header) - (layout.newer_columns if older else 0)
        header = header[:width]
        quoted = frozenset(k for k, column in enumerate(header) if column in layout.quoted)

        def lines() -> Iterator[str]:
            for index in group.indices.tolist():
                fields = rows[index][:width] if older else rows[index]
                fault = faults.get(index)
                if fault is not None and fault.kind is FaultKind.DROP_COLUMNS:
                    fields = fields[:-2]
                yield csv_line(fields, quoted)

        encoding = "utf-8-sig" if layout.bom else layout.encoding
        self._write_lines(name, [csv_line(header)], lines(), encoding, layout.newline)
        self._note_faults(name, group.indices)
        self.files.append(WrittenFile(self._path(name), len(group.indices)))

    def write_bill(self, layout: BillLayout, group: _Group) -> None:
        name = f"{group.stem}.csv"
        details = [self.table.rows[i] for i in group.indices.tolist()]
        lines = (",".join("`" + value for value in fields) for fields in details)
        footer = [
            ",".join(layout.summary_header),
            ",".join("`" + value for value in layout.summary(details)),
        ]
        self._write_lines(name, [",".join(layout.header)], lines, "utf-8", layout.newline, footer)
        self._note_faults(name, group.indices)
        self.files.append(WrittenFile(self._path(name), len(details)))

    def write_jsonl(self, layout: JsonLinesLayout, group: _Group) -> None:
        name = f"{group.stem}.jsonl"
        rows = self.table.rows
        faults = self.table.faults

        def lines() -> Iterator[str]:
            for index in group.indices.tolist():
                line = rows[index]
                fault = faults.get(index)
                if fault is not None and fault.kind is FaultKind.TRUNCATE:
                    line = line[: len(line) * 3 // 5]
                yield line

        self._write_lines(name, [], lines(), "utf-8", "\n")
        self._note_faults(name, group.indices)
        self.files.append(WrittenFile(self._path(name), len(group.indices)))

    def write_pages(self, layout: JsonPagesLayout, group: _Group) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        pages = [
            group.indices[k : k + layout.page_size]
            for k in range(0, len(group.indices), layout.page_size)
        ]
        file_number = 0
        for page_number, page in enumerate(pages, start=1):
            if any(
                (f := self.table.faults.get(i)) is not None and f.kind is FaultKind.ERROR_PAGE
                for i in page.tolist()
            ):
                file_number += 1
                name = f"{group.stem}_p{file_number:04d}.json"
                (self.folder / name).write_bytes(layout.error_page.encode("utf-8"))
                self.faults.append(
                    FaultRow(
                        self.table.source,
                        self._path(name),
                        None,
                        "errcode",
                        "API error page (errcode 40001), no records",
                    )
                )
                self.files.append(WrittenFile(self._path(name), 0))
            file_number += 1
            name = f"{group.stem}_p{file_number:04d}.json"
            last = page_number == len(pages)
            cursor = "" if last else hashlib.md5(f"{group.stem}:{page_number}".encode()).hexdigest()
            context = PageContext(
                page_number, len(pages), len(group.indices), layout.page_size, cursor
            )
            text = layout.envelope([self.table.rows[i] for i in page.tolist()], context)
            (self.folder / name).write_bytes(text.encode("utf-8"))
            self._note_faults(name, page)
            self.files.append(WrittenFile(self._path(name), len(page)))


def write_table(
    table: ExportTable, landing: Path, delivery: Delivery
) -> tuple[list[WrittenFile], list[FaultRow]]:
    """Write one source's records of this delivery; returns the files and the faults in them."""
    writer = _Writer(table, landing)
    layout = table.layout
    for group in _groups(table, delivery):
        if isinstance(layout, CsvLayout):
            writer.write_csv(layout, group)
        elif isinstance(layout, BillLayout):
            writer.write_bill(layout, group)
        elif isinstance(layout, JsonLinesLayout):
            writer.write_jsonl(layout, group)
        else:
            writer.write_pages(layout, group)
    return writer.files, writer.faults


def delivery_for(end: date, until: date | None, only_day: date | None) -> Delivery:
    if until is not None and only_day is not None:
        raise ValueError("give either until or only_day, not both")
    last = min(until, end) if until is not None else end
    return Delivery(
        until_day=day_number(last),
        only_day=day_number(only_day) if only_day is not None else None,
    )
