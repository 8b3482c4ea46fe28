"""Where a file DuckDB could not read goes wrong, for the reason it is refused with.

DuckDB's errors name the file but rarely the line (a CSV its parser gives up on says only "The
CSV Parser state machine reached an invalid state"), so these look again, in Python, at the one
file set apart: they run on the failure path only, never on a file that loads.
"""

from __future__ import annotations

import json
from pathlib import Path

CR, LF = b"\r", b"\n"


def json_fault(path: Path) -> str | None:
    """Where the JSON text of a UTF-8 file (one or more documents, any white space between)
    stops parsing, or None when Python reads it all."""
    text = path.read_text(encoding="utf-8-sig")
    decoder = json.JSONDecoder()
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return None
        try:
            _, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            cut_short = " (the file ends there: cut short?)" * (error.pos >= len(text.rstrip()))
            return (
                f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}"
                + cut_short
            )


def line_ending_fault(path: Path) -> str | None:
    """The first line break of a CSV file that breaks its kind (CRLF or LF, as its first line
    ends) or a carriage return alone, outside quoted values; None when there is none."""
    first_ending = None
    in_quotes = False
    with path.open("rb") as handle:
        for line_number, line in enumerate(handle, start=1):
            content = line.removesuffix(LF).removesuffix(CR)
            lone_cr = content.find(CR)
            if not in_quotes and lone_cr >= 0 and content.count(b'"', 0, lone_cr) % 2 == 0:
                return (
                    f"a carriage return alone in line {line_number}: line breaks must be CRLF "
                    "or LF throughout (re-save the file with one kind)"
                )
            in_quotes ^= content.count(b'"') % 2 == 1
            if in_quotes or not line.endswith(LF):
                continue
            ending = "CRLF" if line.endswith(CR + LF) else "LF"
            if first_ending is None:
                first_ending = ending
            elif ending != first_ending:
                return (
                    f"mixed line breaks: line {line_number} ends with {ending}, earlier lines "
                    f"with {first_ending} (re-save the file with one kind)"
                )
    return None


def starts_with(path: Path, character: str) -> bool:
    """Whether the first character of a UTF-8 file that is not white space is `character`."""
    with path.open("r", encoding="utf-8-sig") as handle:
        while chunk := handle.read(4096):
            stripped = chunk.lstrip()
            if stripped:
                return stripped.startswith(character)
    return False
