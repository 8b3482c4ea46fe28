"""Fingerprint a delivered file and hand DuckDB a UTF-8 copy when the platform did not send UTF-8.

One pass over every file hashes its bytes and tells whether it is valid UTF-8 (with or without a
BOM), starts with a UTF-16 byte-order mark, holds a NUL byte or nothing but white space. A UTF-8
file is read by DuckDB as it is: no other Python pass touches it.

Any other file is decoded here, since DuckDB reads GBK only through an extension that cannot be
installed offline (see `readable_copy`):

* UTF-16 with a byte-order mark is transcoded to UTF-8;
* a NUL byte outside UTF-16 means binary data (or UTF-16 without a byte-order mark): refused;
* anything else is decoded line by line, each line that is not ASCII as UTF-8 or else as
  GB18030 (a superset of GBK, Tmall's seller-centre encoding). The encoding most of those lines
  are in is the file's; a row in the other one would load as mojibake (交易成功 read as GB18030
  is 浜ゆ槗鎴愬姛), so its number and its text, decoded right, are handed back to be
  quarantined. A line that is neither UTF-8 nor GB18030 refuses the file, naming its byte.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

CHUNK_BYTES = 1 << 20
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}
UTF8 = ("utf-8", "utf-8-sig")
GB18030 = "gb18030"
ENCODING_NAMES = {"utf-8": "UTF-8", GB18030: "GB18030"}
WECHATPAY_SUMMARY_MARKER = "总交易单数"

# How a file's lines make its rows: `csv` a header line, then records that may span lines inside
# quotes (rows counted after the header); `lines` one record a line (row = line number);
# `document` one document (a file in two encodings is refused whole).
RowLayout = Literal["csv", "lines", "document"]


class UndecodableFile(ValueError):  # noqa: N818 - a refusal, not a crash
    """A file whose bytes siyu cannot decode; the message says why and where."""


@dataclass(frozen=True)
class Fingerprint:
    file_hash: str
    # "utf-8", "utf-8-sig", "utf-16-le"/"utf-16-be" (with a byte-order mark), or "gb18030" for
    # any other file: decoded line by line, see readable_copy
    encoding: str
    size_bytes: int
    blank: bool = False  # nothing but white space (and a byte-order mark)
    nul_offset: int | None = None  # byte offset of the first NUL byte


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


def _starting_bom(chunk: bytes) -> bytes:
    return next(
        (bom for bom in (UTF8_BOM, *UTF16_BOMS) if chunk.startswith(bom)),
        b"",
    )


def fingerprint(path: Path) -> Fingerprint:
    """Hash the file's bytes and detect its encoding in one pass."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    bom = b""
    blank = True
    nul_offset = None
    size = 0
    for index, chunk in enumerate(_chunks(path)):
        body = chunk
        if index == 0:
            bom = _starting_bom(chunk)
            body = chunk[len(bom) :]
        digest.update(chunk)
        blank = blank and (not body or body.isspace())
        if nul_offset is None and (position := chunk.find(b"\x00")) >= 0:
            nul_offset = size + position
        size += len(chunk)
        if is_utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                is_utf8 = False
    if is_utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    if is_utf8:
        encoding = "utf-8-sig" if bom == UTF8_BOM else "utf-8"
    else:
        encoding = UTF16_BOMS.get(bom, GB18030)
    return Fingerprint(digest.hexdigest(), encoding, size, blank, nul_offset)


# --------------------------------------------------------------------------------------------
# the UTF-8 copy DuckDB reads


@dataclass(frozen=True)
class Decoded:
    """The UTF-8 file DuckDB reads for a delivered file, the file's encoding, and the rows
    written in another encoding than the file's (row number -> text), with the reason."""

    path: Path
    encoding: str
    misencoded_rows: dict[int, str] = field(default_factory=dict)
    misencoded_reason: str = ""


def readable_copy(
    path: Path, fingerprint_: Fingerprint, layout: RowLayout, workdir: Path
) -> Decoded:
    """The file itself when it is UTF-8, else a decoded UTF-8 copy in `workdir` (see the module
    docstring). Raises UndecodableFile."""
    encoding = fingerprint_.encoding
    if encoding not in UTF16_BOMS.values() and fingerprint_.nul_offset is not None:
        offset = fingerprint_.nul_offset
        raise UndecodableFile(
            f"a NUL byte at offset {offset} (line {_line_at(path, offset)}): binary data, or "
            "UTF-16 text without a byte-order mark (siyu reads UTF-8, GB18030, and UTF-16 "
            "with a byte-order mark)"
        )
    if encoding in UTF8:
        return Decoded(path, encoding)
    if encoding in UTF16_BOMS.values():
        return Decoded(_utf16_copy(path, encoding, workdir), encoding)
    return _line_by_line_copy(path, layout, workdir)


def _line_at(path: Path, offset: int) -> int:
    """The 1-based line number of byte `offset`."""
    newlines = 0
    read = 0
    for chunk in _chunks(path):
        newlines += chunk.count(b"\n", 0, max(offset - read, 0))
        read += len(chunk)
        if read > offset:
            break
    return newlines + 1


def _new_copy(workdir: Path) -> Path:
    return Path(tempfile.mkstemp(suffix=".txt", dir=workdir)[1])


def _utf16_copy(path: Path, encoding: str, workdir: Path) -> Path:
    data = path.read_bytes()[2:]  # after the byte-order mark
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise UndecodableFile(
            f"UTF-16 text (by its byte-order mark) that does not decode at offset "
            f"{error.start + 2}: {error.reason}"
        ) from None
    target = _new_copy(workdir)
    target.write_text(text, encoding="utf-8", newline="")
    return target


def numbered_lines(lines: Iterable[bytes], layout: RowLayout) -> Iterator[tuple[int, bytes]]:
    """Each line with the row it belongs to: its line number (`lines`), or for `csv` its record's
    number after the header (0), a record continuing over the lines inside its quotes (a blank
    line between records, which DuckDB skips, stays with the record before)."""
    row = 0
    in_quotes = False
    for line_number, line in enumerate(lines, start=1):
        if layout != "csv":
            yield line_number, line
            continue
        if not in_quotes and line_number > 1 and line.rstrip(b"\r\n"):
            row += 1
        yield row, line
        in_quotes ^= line.count(b'"') % 2 == 1


# In a block decoded as UTF-8 with surrogateescape, a byte that is not UTF-8 becomes a lone
# surrogate (U+DC80..U+DCFF), which UTF-8 text never holds: a line with one is not UTF-8, a line
# without one but with another non-ASCII character is UTF-8 that is not ASCII.
NOT_UTF8 = re.compile("[\udc80-\udcff]")


def _blocks(path: Path) -> Iterator[bytes]:
    """The file in blocks of about CHUNK_BYTES that end at a line break (or the file's end)."""
    with path.open("rb") as handle:
        while block := handle.read(CHUNK_BYTES):
            yield block + handle.readline()


def _decode_each_line(block: bytes, base_line: int, base_offset: int) -> str:
    """A block of both encodings, each line decoded as UTF-8 or else GB18030; raises
    UndecodableFile at a line that is neither."""
    texts = []
    offset = base_offset
    for line_number, line in enumerate(io.BytesIO(block), start=base_line + 1):
        try:
            texts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                texts.append(line.decode(GB18030))
            except UnicodeDecodeError as error:
                raise UndecodableFile(
                    f"byte 0x{line[error.start]:02X} at offset {offset + error.start} (line "
                    f"{line_number}) is neither UTF-8 nor GB18030 text"
                ) from None
        offset += len(line)
    return "".join(texts)


def _decode_block(
    block: bytes, first_line: dict[str, int], base_line: int, base_offset: int
) -> str:
    """A block's text, each line in its own encoding (a block in one encoding, the common case,
    is decoded whole by the codec); the first line of each encoding goes in `first_line`."""
    as_utf8 = block.decode("utf-8", "surrogateescape")
    find_not_utf8 = NOT_UTF8.search
    not_utf8 = find_not_utf8(as_utf8)
    utf8_index = next(
        (
            index
            for index, line in enumerate(as_utf8.split("\n"))
            if not line.isascii() and find_not_utf8(line) is None
        ),
        None,
    )
    if utf8_index is not None:
        first_line.setdefault("utf-8", base_line + utf8_index + 1)
    if not_utf8 is None:
        return as_utf8
    first_line.setdefault(GB18030, base_line + as_utf8.count("\n", 0, not_utf8.start()) + 1)
    if utf8_index is None:
        try:
            return block.decode(GB18030)
        except UnicodeDecodeError:
            pass  # find the line at fault
    return _decode_each_line(block, base_line, base_offset)


def _line_by_line_copy(path: Path, layout: RowLayout, workdir: Path) -> Decoded:
    target = _new_copy(workdir)
    first_line: dict[str, int] = {}
    lines = offset = 0
    with target.open("w", encoding="utf-8", newline="") as out:
        for block in _blocks(path):
            text = block[len(UTF8_BOM) :] if offset == 0 and block.startswith(UTF8_BOM) else block
            out.write(_decode_block(text, first_line, lines, offset + len(block) - len(text)))
            lines += block.count(b"\n")
            offset += len(block)
    if len(first_line) < 2:
        return Decoded(target, next(iter(first_line), GB18030))
    if layout == "document":
        raise UndecodableFile(
            "mixed encodings: "
            + ", ".join(
                f"line {line} is {ENCODING_NAMES[name]}"
                for name, line in sorted(first_line.items(), key=lambda item: item[1])
            )
            + "; one JSON document must be in one encoding"
        )
    return _with_misencoded_rows(target, path, layout, first_line)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _with_misencoded_rows(
    target: Path, path: Path, layout: RowLayout, first_line: dict[str, int]
) -> Decoded:
    """A file of both encodings: the encoding of most lines that are not ASCII is the file's
    (on a tie, that of the first such line); the rows with a line in the other are handed back
    with their text (a CSV header is not a row: it is read in its own encoding)."""
    lines = {"utf-8": 0, GB18030: 0}
    rows: dict[str, set[int]] = {"utf-8": set(), GB18030: set()}
    with path.open("rb") as handle:
        for row, line in numbered_lines(handle, layout):
            line = line.removeprefix(UTF8_BOM)
            if not line.isascii():
                encoding = "utf-8" if _is_utf8(line) else GB18030
                lines[encoding] += 1
                rows[encoding].add(row)
    if lines["utf-8"] != lines[GB18030]:
        majority = max(lines, key=lines.__getitem__)
    else:
        majority = min(first_line, key=first_line.__getitem__)
    minority = "utf-8" if majority == GB18030 else GB18030
    misencoded = rows[minority] - ({0} if layout == "csv" else set())
    if not misencoded:
        return Decoded(target, majority)
    names = {name: ENCODING_NAMES[name] for name in (majority, minority)}
    reason = (
        f"row is {names[minority]} inside a {names[majority]} file: mixed encodings "
        f"({lines[majority]} line(s) in {names[majority]}, {lines[minority]} in "
        f"{names[minority]}); it would load as mojibake"
    )
    return Decoded(target, majority, _row_texts(path, layout, misencoded), reason)


def _row_texts(path: Path, layout: RowLayout, rows: set[int]) -> dict[int, str]:
    """The text of each of `rows`, each line decoded in its own encoding, without the final
    line break."""
    texts: dict[int, list[bytes]] = {}
    with path.open("rb") as handle:
        for row, line in numbered_lines(handle, layout):
            if row in rows:
                texts.setdefault(row, []).append(line)
    return {
        row: _decode_each_line(b"".join(lines).removeprefix(UTF8_BOM), 0, 0).rstrip("\r\n")
        for row, lines in texts.items()
    }


def utf8_copy(path: Path, encoding: str, workdir: Path) -> Path:
    """A path DuckDB can read as UTF-8: the file itself, or a copy streamed through `encoding`
    with no check of its lines (the benchmark's baseline read; ingestion uses readable_copy)."""
    if encoding in UTF8:
        return path
    target = _new_copy(workdir)
    with (
        path.open("r", encoding=encoding, newline="") as source,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        for line in source:
            out.write(line)
    return target


@dataclass(frozen=True)
class WechatpayBillParts:
    detail_path: Path
    summary: dict[str, str]


def split_wechatpay_bill(path: Path, workdir: Path) -> WechatpayBillParts:
    """Cut a WeChat Pay text bill (UTF-8, with or without a BOM) into its detail rows (a UTF-8
    CSV) and its totals line.

    The bill ends with a summary header starting with 总交易单数 and one line of totals, which is
    not a transaction. Every value is prefixed with a backtick; header and totals are returned
    without them.
    """
    target = _new_copy(workdir)
    summary_lines: list[str] = []
    with (
        path.open("r", encoding="utf-8-sig", newline="") as source,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        in_summary = False
        for line in source:
            if not in_summary and line.startswith(WECHATPAY_SUMMARY_MARKER):
                in_summary = True
            if in_summary:
                if line.strip():
                    summary_lines.append(line.strip())
            else:
                out.write(line)
    summary: dict[str, str] = {}
    if len(summary_lines) >= 2:
        keys = [key.strip().lstrip("`") for key in summary_lines[0].split(",")]
        values = [value.strip().lstrip("`") for value in summary_lines[1].split(",")]
        summary = dict(zip(keys, values, strict=False))
    return WechatpayBillParts(detail_path=target, summary=summary)
