"""Fingerprint a delivered file and hand DuckDB a UTF-8 copy when the platform did not send UTF-8.

DuckDB reads GBK only through an extension that cannot be installed offline, so a GBK/GB18030
file (Tmall's seller-centre report) is streamed through Python's gb18030 codec into a temporary
UTF-8 file. GB18030 is a superset of GBK, so it decodes both.
"""

from __future__ import annotations

import codecs
import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 1 << 20
UTF8_BOM = codecs.BOM_UTF8
WECHATPAY_SUMMARY_MARKER = "总交易单数"


@dataclass(frozen=True)
class Fingerprint:
    file_hash: str
    encoding: str  # "utf-8", "utf-8-sig" or "gb18030"
    size_bytes: int


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


def fingerprint(path: Path) -> Fingerprint:
    """Hash the file's bytes and detect its encoding in one pass."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    has_bom = False
    size = 0
    for index, chunk in enumerate(_chunks(path)):
        if index == 0:
            has_bom = chunk.startswith(UTF8_BOM)
        digest.update(chunk)
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
    encoding = ("utf-8-sig" if has_bom else "utf-8") if is_utf8 else "gb18030"
    return Fingerprint(file_hash=digest.hexdigest(), encoding=encoding, size_bytes=size)


def _decoded_lines(path: Path, encoding: str) -> Iterator[str]:
    with path.open("r", encoding=encoding, newline="") as handle:
        yield from handle


def utf8_copy(path: Path, encoding: str, workdir: Path) -> Path:
    """Return a path DuckDB can read as UTF-8: the file itself, or a transcoded temporary copy."""
    if encoding in ("utf-8", "utf-8-sig"):
        return path
    target = Path(tempfile.mkstemp(suffix=".csv", dir=workdir)[1])
    with target.open("w", encoding="utf-8", newline="") as out:
        for line in _decoded_lines(path, encoding):
            out.write(line)
    return target


@dataclass(frozen=True)
class WechatpayBillParts:
    detail_path: Path
    summary: dict[str, str]


def split_wechatpay_bill(path: Path, encoding: str, workdir: Path) -> WechatpayBillParts:
    """Cut a WeChat Pay text bill into its detail rows (a UTF-8 CSV) and its totals line.

    The bill ends with a summary header starting with 总交易单数 and one line of totals, which is
    not a transaction. Every value is prefixed with a backtick; header and totals are returned
    without them.
    """
    target = Path(tempfile.mkstemp(suffix=".csv", dir=workdir)[1])
    summary_lines: list[str] = []
    with target.open("w", encoding="utf-8", newline="") as out:
        in_summary = False
        for line in _decoded_lines(path, encoding):
            if not in_summary and line.lstrip(UTF8_BOM.decode()).startswith(
                WECHATPAY_SUMMARY_MARKER
            ):
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
