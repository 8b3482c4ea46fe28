"""The report asset: charts of the funnel marts (PNG) and one HTML page that embeds them.

`render_reports(con, out_dir)` renders from a DuckDB connection into a folder (default
`reports/` at the repository root, or SIYU_REPORTS_DIR) and returns the paths. The Dagster asset
`reports/marketing_report` wraps it: it runs only after the marts are published and reads them
from the working warehouse, so the page only ever shows audited marts and the published file
(which BI tools may hold open) is never opened. The page is a list of sections
(siyu.reports.sections): to add one (an ROI curve, say), write a SectionRenderer and
append it to REPORT_SECTIONS.
"""

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
from dagster import AssetExecutionContext

from orchestration.resources import WarehouseResource
from siyu.reports.funnel import (
    headline_funnel_text,
    render_funnel_section,
    render_leaderboard_section,
    render_retention_section,
    render_three_order_section,
)
from siyu.reports.page import PAGE_NAME, render_page
from siyu.reports.roi import render_roi_section
from siyu.reports.sections import ReportSection, SectionRenderer
from siyu.settings import REPO_ROOT
from siyu.tables import table_exists

DEFAULT_REPORTS_DIR = REPO_ROOT / "reports"
REPORT_TITLE = "siyu private-domain report"
REPORT_ASSET_KEY = dg.AssetKey(["reports", "marketing_report"])
REPORT_GROUP = "funnel"

REPORT_SECTIONS: tuple[SectionRenderer, ...] = (
    render_funnel_section,
    render_retention_section,
    render_three_order_section,
    render_leaderboard_section,
    render_roi_section,
)
# the marts the sections read, as published (siyu/publish) after the audit
PUBLISHED_WAREHOUSE_KEY = dg.AssetKey(["publish", "published_warehouse"])
REPORT_MARTS = (
    "rpt_funnel_conversion",
    "rpt_cohort_retention",
    "rpt_three_order_followup",
    "rpt_guide_leaderboard",
)


@dataclass(frozen=True)
class RenderedReport:
    """What render_reports wrote: the page, one PNG per section, and the sections themselves."""

    page: Path
    images: dict[str, Path]
    sections: tuple[ReportSection, ...]


def reports_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder reports are written to: SIYU_REPORTS_DIR, else reports/ at the repo root."""
    env = os.environ if environ is None else environ
    return Path(env.get("SIYU_REPORTS_DIR") or DEFAULT_REPORTS_DIR).resolve()


def render_reports(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path | None = None,
    sections: Sequence[SectionRenderer] = REPORT_SECTIONS,
    generated_at: datetime | None = None,
) -> RenderedReport:
    """Render every section from the warehouse marts into out_dir and write the page."""
    target = out_dir or reports_dir()
    rendered = tuple(render(con, target) for render in sections)
    page = render_page(rendered, target, REPORT_TITLE, generated_at or datetime.now())
    images = {
        section.key: section.image_path for section in rendered if section.image_path is not None
    }
    return RenderedReport(page=page, images=images, sections=rendered)


def report_summary_lines(con: duckdb.DuckDBPyConnection, out_dir: Path | None = None) -> list[str]:
    """For the `make run` summary: the headline funnel and where the report page is."""
    page = (out_dir or reports_dir()) / PAGE_NAME
    return [
        *headline_funnel_text(con).splitlines(),
        f"report:    {page}" if page.exists() else "report:    not written",
    ]


def run_summary_lines(warehouse_path: Path, out_dir: Path | None = None) -> list[str]:
    """report_summary_lines read from a warehouse file (opened read-only, closed again)."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return report_summary_lines(con, out_dir)


def report_metadata(report: RenderedReport, headline_text: str) -> dict[str, dg.MetadataValue]:
    metadata: dict[str, dg.MetadataValue] = {
        "report_path": dg.MetadataValue.path(str(report.page)),
        "headline_funnel": dg.MetadataValue.md(f"```\n{headline_text}\n```"),
        "images": dg.MetadataValue.md(
            "\n".join(f"- {key}: `{path}`" for key, path in report.images.items())
        ),
    }
    for section in report.sections:
        for name, value in section.headline.items():
            key = f"{section.key}.{name}"
            if isinstance(value, bool | str):
                metadata[key] = dg.MetadataValue.text(str(value))
            elif isinstance(value, int):
                metadata[key] = dg.MetadataValue.int(value)
            else:
                metadata[key] = dg.MetadataValue.float(float(value))
    return metadata


def build_report_asset(
    deps: Sequence[dg.AssetKey] = (PUBLISHED_WAREHOUSE_KEY,),
    sections: Sequence[SectionRenderer] = REPORT_SECTIONS,
) -> dg.AssetsDefinition:
    @dg.asset(
        key=REPORT_ASSET_KEY,
        group_name=REPORT_GROUP,
        deps=list(deps),
        kinds={"python", "html"},
        description=(
            "Charts of the funnel, cohort retention, three-order strategy and guide leaderboard "
            "(PNG) and one HTML page embedding them, rendered after publishing from the marts "
            "just published (read from the working warehouse, never from the file BI tools "
            "hold open) into SIYU_REPORTS_DIR (default reports/)."
        ),
    )
    def marketing_report(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        out_dir = reports_dir()
        # runs only after a publish, so the working warehouse holds the audited marts just
        # published; the published file itself is never opened (a BI tool may hold it)
        with duckdb.connect(warehouse.warehouse_path, read_only=True) as con:
            missing = [name for name in REPORT_MARTS if not table_exists(con, f"marts.{name}")]
            if missing:
                raise dg.Failure(f"not in {warehouse.warehouse_path}: marts {', '.join(missing)}")
            report = render_reports(con, out_dir, sections)
            headline_text = headline_funnel_text(con)
        context.log.info(f"report written to {report.page}")
        return dg.MaterializeResult(metadata=report_metadata(report, headline_text))

    return marketing_report
