"""The report asset on the hand-made funnel warehouse (tests/funnel/landing.py): it writes
non-empty PNGs and one page, and every number it shows is the marts' number."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from orchestration.reports.assets import (
    REPORT_ASSET_KEY,
    build_report_asset,
    render_reports,
    reports_dir,
    run_summary_lines,
)
from orchestration.resources import WarehouseResource
from siyu.reports.funnel import headline_funnel_text
from siyu.reports.sections import ReportSection, table_html
from tests.funnel import landing as scenario

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SECTION_KEYS = ["funnel", "cohort_retention", "three_order", "guide_leaderboard"]
# this warehouse holds only the funnel marts: the ROI section renders as "not built", no chart
ALL_SECTION_KEYS = [*SECTION_KEYS, "roi"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return scenario.funnel_warehouse(tmp_path_factory)


@pytest.fixture(scope="module")
def report(warehouse, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("report")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return render_reports(con, out_dir)


def mart(warehouse: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).df()


def test_every_section_writes_a_non_empty_png_and_the_page_embeds_it(report):
    assert [section.key for section in report.sections] == ALL_SECTION_KEYS
    page = report.page.read_text(encoding="utf-8")
    for key in SECTION_KEYS:
        image = report.images[key]
        assert image.parent == report.page.parent
        assert image.read_bytes()[:8] == PNG_SIGNATURE
        pixels = imread(image)
        assert pixels.shape[0] > 200 and pixels.shape[1] > 400
        assert float(np.std(pixels)) > 0.01  # not a blank canvas
        assert f'<img src="{image.name}"' in page
        assert f'<section id="{key}">' in page


def test_the_funnel_chart_shows_the_marts_headline_funnel(report, warehouse):
    funnel = next(section for section in report.sections if section.key == "funnel")
    from_mart = mart(
        warehouse,
        "select stage, customers_entered, conversion_rate from marts.rpt_funnel_conversion "
        "where cohort_grain = 'all' and acquisition_channel = '(all)' "
        "and acquisition_campaign_id = '(all)' order by stage_order",
    )
    pd.testing.assert_frame_equal(
        funnel.data[["stage", "customers_entered", "conversion_rate"]], from_mart
    )
    # the hand count of tests/funnel
    assert funnel.data["customers_entered"].tolist() == [8, 7, 6, 4, 2, 1]
    assert funnel.headline["acquired_customers"] == 8
    assert funnel.headline["first_order_conversion_rate"] == pytest.approx(0.75)
    assert "75.0%" in (funnel.table_html or "")


def test_retention_and_leaderboard_sections_carry_the_mart_rows(report, warehouse):
    retention = next(s for s in report.sections if s.key == "cohort_retention")
    pd.testing.assert_frame_equal(
        retention.data.reset_index(drop=True),
        mart(
            warehouse,
            "select cohort_month, months_since_first_order, customers, retained_customers, "
            "retention_rate, is_complete_month from marts.rpt_cohort_retention order by 1, 2",
        ),
    )
    board = next(s for s in report.sections if s.key == "guide_leaderboard")
    guides = board.data[board.data["leaderboard_level"] == "guide"]
    assert guides[["guide_id", "gmv"]].values.tolist() == [
        ["guide_li", Decimal("360.00")],
        ["guide_wang", Decimal("110.00")],
    ]
    assert board.headline["top_guide"] == "guide_li"
    assert "360.00" in (board.table_html or "")
    three_order = next(s for s in report.sections if s.key == "three_order")
    assert three_order.data["first_order_customers"].sum() == 6


def test_the_dagster_asset_writes_the_report_and_attaches_its_path(
    warehouse, tmp_path, monkeypatch
):
    """It reads the marts just published from the working warehouse (this test's warehouse) and
    never opens the published file, which a BI tool may hold open (here: none exists)."""
    monkeypatch.setenv("SIYU_REPORTS_DIR", str(tmp_path / "out"))
    published = tmp_path / "published.duckdb"
    result = dg.materialize(
        [build_report_asset()],
        resources={
            "warehouse": WarehouseResource(
                warehouse_path=str(warehouse),
                published_path=str(published),
                landing_dir=str(tmp_path),
            )
        },
    )
    assert result.success
    assert not published.exists()
    [materialization] = [
        event.materialization
        for event in result.get_asset_materialization_events()
        if event.materialization.asset_key == REPORT_ASSET_KEY
    ]
    metadata = materialization.metadata
    page = Path(metadata["report_path"].value)
    assert page == (tmp_path / "out" / "report.html").resolve()
    assert page.exists()
    assert all((page.parent / f"{key}.png").stat().st_size > 0 for key in SECTION_KEYS)
    assert metadata["funnel.acquired_customers"].value == 8
    assert metadata["guide_leaderboard.top_guide_gmv"].value == pytest.approx(360.0)
    assert "acquired" in metadata["headline_funnel"].value
    assert reports_dir() == (tmp_path / "out").resolve()


def test_headline_funnel_text_for_the_run_summary(warehouse, report):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        text = headline_funnel_text(con)
    lines = text.splitlines()
    assert lines[0] == "funnel (all customers, as of 2026-06-30 12:00):"
    assert lines[1].split() == ["acquired", "8"]
    assert lines[2] == (
        "  activated            7    80.0% of 5 acquired within 30 d (3 not yet mature)"
    )
    summary = run_summary_lines(warehouse, report.page.parent)
    assert summary[:-1] == lines
    assert summary[-1] == f"report:    {report.page}"


def test_other_areas_can_add_a_section_to_the_page(warehouse, tmp_path):
    def roi_section(con: duckdb.DuckDBPyConnection, out_dir: Path) -> ReportSection:
        customers = con.execute("select count(*) as customers from marts.fct_customer_funnel").df()
        return ReportSection(
            key="roi", title="ROI curve", table_html=table_html(customers), data=customers
        )

    with duckdb.connect(str(warehouse), read_only=True) as con:
        extended = render_reports(con, tmp_path, sections=[roi_section])
    page = extended.page.read_text(encoding="utf-8")
    assert '<section id="roi">' in page and "ROI curve" in page
    assert "<td>8</td>" in page


def test_the_roi_section_says_so_when_its_marts_are_not_built(tmp_path):
    import duckdb

    from siyu.reports.roi import render_roi_section

    con = duckdb.connect()
    section = render_roi_section(con, tmp_path)
    assert section.image_path is None
    assert section.description == "ROI marts not built."
