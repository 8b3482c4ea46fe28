"""`python -m bench --scales 0.1,1 --incremental --out bench/results.json`."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from bench import report
from bench.harness import (
    REBUILD_FLOOR_SCALE,
    BenchConfig,
    IncrementalResult,
    ScaleResult,
    run_bench,
)

DEFAULT_SCALES = (0.1, 1.0)
DEFAULT_INCREMENTAL_SCALE = 1.0


def _scales(text: str) -> tuple[float, ...]:
    scales = tuple(float(part) for part in text.split(",") if part.strip())
    if not scales or any(scale <= 0 for scale in scales):
        raise argparse.ArgumentTypeError("scales must be positive numbers, e.g. 0.1,1")
    return scales


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Time every phase of daily_refresh at scale against DuckDB and scipy.",
    )
    parser.add_argument(
        "--scales",
        type=_scales,
        default=DEFAULT_SCALES,
        help="comma-separated scale factors (1 = 100,000 people); default 0.1,1",
    )
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="also time a daily incremental run (one more day of exports)",
    )
    parser.add_argument(
        "--incremental-scale",
        type=float,
        default=None,
        help="scale of the incremental scenario; default 1 if measured, else the largest scale",
    )
    parser.add_argument(
        "--nothing-new",
        action="store_true",
        help="after the incremental run, run the job once more with nothing new delivered "
        "(the fixed cost of a run)",
    )
    parser.add_argument(
        "--rebuild-floor",
        nargs="?",
        const=REBUILD_FLOOR_SCALE,
        default=None,
        type=float,
        metavar="SCALE",
        help="after the incremental scenario, a full run on exports of this scale (default "
        f"{REBUILD_FLOOR_SCALE:g}): the least a run that builds the whole dbt graph costs",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path("bench/results.json"))
    parser.add_argument(
        "--chart", type=Path, default=None, help="default: time_vs_scale.png beside --out"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where exports and warehouses go; default a temporary folder",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the exports, warehouses and run logs in --workdir"
    )
    return parser.parse_args(argv)


def incremental_scale(args: argparse.Namespace) -> float | None:
    if not args.incremental:
        return None
    if args.incremental_scale is not None:
        return args.incremental_scale
    return (
        DEFAULT_INCREMENTAL_SCALE if DEFAULT_INCREMENTAL_SCALE in args.scales else max(args.scales)
    )


def print_progress(result: ScaleResult | IncrementalResult) -> None:
    lines = (
        report.scale_lines(result)
        if isinstance(result, ScaleResult)
        else report.incremental_lines(result)
    )
    print("\n".join(lines), flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scale_incremental = incremental_scale(args)
    if scale_incremental is not None and scale_incremental not in args.scales:
        print("--incremental-scale must be one of --scales", file=sys.stderr)
        return 2
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="siyu-bench-"))
    config = BenchConfig(
        tuple(args.scales),
        scale_incremental,
        args.seed,
        workdir,
        args.keep,
        nothing_new=args.nothing_new,
        rebuild_floor_scale=args.rebuild_floor,
    )
    print(f"siyu bench: scales {', '.join(f'{s:g}' for s in args.scales)}, work in {workdir}")
    try:
        scales, incremental = run_bench(config, print_progress)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    document = report.results_json(
        scales,
        incremental,
        ["python -m bench", *(argv if argv is not None else sys.argv[1:])],
    )
    report.write_json(document, args.out)
    report.write_chart(document, args.chart or args.out.with_name("time_vs_scale.png"))
    print("\n".join(report.target_lines(document["targets"])))
    print(
        "\nend-to-end: "
        + ", ".join(
            f"scale {scale['scale']:g} {scale['total_s']:.1f} s" for scale in document["scales"]
        )
    )
    print(f"wrote {args.out}")
    runs_ok = all(scale.result.run.ok for scale in scales)
    return 0 if runs_ok and (incremental is None or incremental.result.run.ok) else 1


if __name__ == "__main__":
    sys.exit(main())
