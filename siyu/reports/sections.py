"""A report section: a title, a chart (PNG), an optional table, and the numbers it shows.

The report page is a list of sections. A section renderer is any function that takes a read-only
DuckDB connection to the warehouse and the folder to write into and returns a ReportSection, so
another area (an ROI curve, say) adds a section by writing one renderer and listing it in
orchestration.reports.assets.REPORT_SECTIONS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from matplotlib.figure import Figure

CHART_DPI = 110


@dataclass(frozen=True)
class ReportSection:
    """One block of the report page."""

    key: str
    title: str
    image_path: Path | None = None
    description: str = ""
    table_html: str | None = None
    # the numbers the chart and table show, straight from the mart (tests compare them)
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    # headline numbers for Dagster metadata and the run summary
    headline: dict[str, float | int | str] = field(default_factory=dict)


SectionRenderer = Callable[[duckdb.DuckDBPyConnection, Path], ReportSection]


def save_chart(figure: Figure, out_dir: Path, name: str) -> Path:
    """Write the figure as out_dir/name.png (Agg, no pyplot state) and return the path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.png"
    figure.savefig(path, format="png", dpi=CHART_DPI, bbox_inches="tight")
    return path


def table_html(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    """An HTML table of the frame (values escaped, missing ones blank); formats maps a column to
    a format spec such as '.1%'."""
    specs = formats or {}

    def cell(value: object, spec: str | None) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        return format(value, spec) if spec else str(value)

    cells = pd.DataFrame(
        {column: [cell(v, specs.get(column)) for v in frame[column]] for column in frame.columns}
    )
    return cells.to_html(index=False, border=0, classes="numbers", escape=True)
