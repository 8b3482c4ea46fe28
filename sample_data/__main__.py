"""Command line: `python -m sample_data --scale S --seed N --out DIR`."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from .generator import DEFAULT_END, DEFAULT_START, generate


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sample_data",
        description="Write a synthetic brand's channel exports and their ground truth.",
    )
    parser.add_argument("--scale", type=float, required=True, help="1 = 100,000 people")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument(
        "--out", type=Path, required=True, help="writes OUT/landing and OUT/ground_truth"
    )
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START)
    parser.add_argument("--end", type=date.fromisoformat, default=DEFAULT_END)
    delivery = parser.add_mutually_exclusive_group()
    delivery.add_argument(
        "--until", type=date.fromisoformat, help="write only records dated on or before this day"
    )
    delivery.add_argument(
        "--only-day",
        type=date.fromisoformat,
        help="write only the records of this day (file names carry the date)",
    )
    parser.add_argument("--no-faults", action="store_true", help="plant no bad records")
    parser.add_argument(
        "--clean", action="store_true", help="delete OUT/landing and OUT/ground_truth first"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.scale <= 0:
        print("--scale must be positive", file=sys.stderr)
        return 2
    manifest = generate(
        args.out,
        scale=args.scale,
        seed=args.seed,
        start=args.start,
        end=args.end,
        until=args.until,
        only_day=args.only_day,
        faults=not args.no_faults,
        clean=args.clean,
    )
    rows = manifest.rows_per_source
    print(
        f"{manifest.people} people, {len(manifest.files)} files, "
        f"{sum(rows.values())} records, {manifest.fault_rows} faults -> {args.out}"
    )
    for source, count in rows.items():
        print(f"  {source:<16} {count:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
