"""`python -m siyu.audiences`: export audiences, list them, count tags and audiences.

    python -m siyu.audiences export --audience KEY --out DIR   one CSV per channel
    python -m siyu.audiences export --all --out DIR
    python -m siyu.audiences summary                            customers per tag/audience

Reads the published warehouse (SIYU_WAREHOUSE) unless --warehouse names another DuckDB file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from siyu.audiences.export import (
    UnknownAudienceError,
    export_all_audiences,
    export_audience,
)
from siyu.audiences.summary import (
    format_tag_audience_summary,
    summarise_tags_and_audiences,
)
from siyu.settings import SiyuSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m siyu.audiences")
    parser.add_argument(
        "--warehouse", type=Path, help="DuckDB file to read (default: SIYU_WAREHOUSE, published)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write an audience as one CSV per channel")
    chosen = export.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--audience", help="the audience key (see `summary`)")
    chosen.add_argument("--all", action="store_true", help="every audience")
    export.add_argument("--out", type=Path, required=True, help="folder to write the files to")
    commands.add_parser("summary", help="customers per tag and audience")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    warehouse = arguments.warehouse or SiyuSettings.from_env().warehouse_path
    if not Path(warehouse).exists():
        print(f"no warehouse at {warehouse}: run `make run` first", file=sys.stderr)
        return 2
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if arguments.command == "summary":
            print(format_tag_audience_summary(summarise_tags_and_audiences(con)))
            return 0
        try:
            files = (
                export_all_audiences(con, arguments.out)
                if arguments.all
                else export_audience(con, arguments.audience, arguments.out)
            )
        except UnknownAudienceError as error:
            print(error, file=sys.stderr)
            return 2
    for exported in files:
        print(f"{exported.members:>8,}  {exported.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
