"""Report section of the ROI marts: the ROI curve per channel and the top campaigns by d30 ROI.

Every number is read from a mart (rpt_channel_roi_curve, rpt_campaign_roi_curve,
fct_campaign_roi, rpt_unmapped_ad_spend); nothing is recomputed here. Labels stay ASCII (channel
and campaign ids, English model names): the machines need not have a CJK font.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from siyu.registry import attribution_models
from siyu.reports.sections import ReportSection, save_chart, table_html
from siyu.tables import table_exists

# The model the run summary ranks campaigns by; the chart draws every model side by side.
SUMMARY_ATTRIBUTION_MODEL = "linear"
SUMMARY_HORIZON_DAYS = 30
TOP_CAMPAIGNS = 5
CHART_NAME = "roi_curve"
CHANNEL_COLOURS = ("#2f6b9a", "#e08a2c", "#3a9a5b", "#b5485d", "#7a5ea8", "#8c8c8c")


CHANNEL_CURVE_SQL = """
select
    channel,
    attribution_model,
    days_since_acquisition,
    cohorts,
    spend,
    acquired_customers,
    cac,
    cumulative_revenue,
    roi
from marts.rpt_channel_roi_curve
where spend > 0
order by attribution_model, channel, days_since_acquisition
"""

TOP_CAMPAIGNS_SQL = """
select
    ranked.campaign_id,
    ranked.channel,
    ranked.cohorts,
    ranked.spend,
    ranked.acquired_customers,
    ranked.cac,
    ranked.cumulative_revenue,
    ranked.roi,
    first_touch.roi as roi_first_touch,
    last_touch.roi as roi_last_touch
from marts.rpt_campaign_roi_curve as ranked
left join marts.rpt_campaign_roi_curve as first_touch
    on
        ranked.campaign_id = first_touch.campaign_id
        and ranked.days_since_acquisition = first_touch.days_since_acquisition
        and first_touch.attribution_model = 'first_touch'
left join marts.rpt_campaign_roi_curve as last_touch
    on
        ranked.campaign_id = last_touch.campaign_id
        and ranked.days_since_acquisition = last_touch.days_since_acquisition
        and last_touch.attribution_model = 'last_touch'
where
    ranked.attribution_model = ?
    and ranked.days_since_acquisition = ?
    and ranked.roi is not null
order by ranked.roi desc, ranked.campaign_id
limit ?
"""

UNMAPPED_SPEND_SQL = """
select count(*) as platform_campaigns, coalesce(sum(spend), 0) as spend
from marts.rpt_unmapped_ad_spend
"""

AS_OF_SQL = "select max(as_of_at) from marts.fct_campaign_roi"


def channel_roi_curve(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """ROI by days since acquisition per channel with ad spend and attribution model."""
    return con.execute(CHANNEL_CURVE_SQL).df()


def top_campaigns_by_roi(
    con: duckdb.DuckDBPyConnection,
    horizon_days: int = SUMMARY_HORIZON_DAYS,
    attribution_model: str = SUMMARY_ATTRIBUTION_MODEL,
    limit: int = TOP_CAMPAIGNS,
) -> pd.DataFrame:
    """Campaigns with spend ranked by ROI at `horizon_days` (cohorts that have had that long)."""
    return con.execute(TOP_CAMPAIGNS_SQL, [attribution_model, horizon_days, limit]).df()


def _ratio(value: object) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):+.0%}"


def top_campaigns_text(
    con: duckdb.DuckDBPyConnection,
    horizon_days: int = SUMMARY_HORIZON_DAYS,
    attribution_model: str = SUMMARY_ATTRIBUTION_MODEL,
    limit: int = TOP_CAMPAIGNS,
) -> str:
    """The top campaigns by d30 ROI and the unmapped spend, as lines for the `make run` summary."""
    if not table_exists(con, "marts.rpt_campaign_roi_curve"):
        return "ROI: marts not built"
    top = top_campaigns_by_roi(con, horizon_days, attribution_model, limit)
    as_of = con.execute(AS_OF_SQL).fetchone()[0]
    as_of_text = f", as of {pd.Timestamp(as_of):%Y-%m-%d %H:%M}" if as_of is not None else ""
    lines = [
        f"ROI: top campaigns by d{horizon_days} ROI ({attribution_model} attribution, "
        f"acquisition days with {horizon_days} days elapsed{as_of_text}):"
    ]
    if top.empty:
        lines.append(f"  no campaign with spend has a d{horizon_days} cohort yet")
    else:
        lines.append(
            f"  {'campaign':<10}{'channel':<9}{'spend':>11}{'customers':>11}{'CAC':>9}"
            f"{'revenue':>12}{'ROI':>7}{'first':>7}{'last':>7}"
        )
        for row in top.itertuples(index=False):
            cac = "n/a" if pd.isna(row.cac) else f"{float(row.cac):,.2f}"
            lines.append(
                f"  {row.campaign_id:<10}{row.channel:<9}{float(row.spend):>11,.2f}"
                f"{float(row.acquired_customers):>11,.1f}{cac:>9}"
                f"{float(row.cumulative_revenue):>12,.2f}{_ratio(row.roi):>7}"
                f"{_ratio(row.roi_first_touch):>7}{_ratio(row.roi_last_touch):>7}"
            )
        lines.append(
            "  (ROI = (net revenue - spend) / spend; first/last: the same under those models)"
        )
    campaigns, spend = con.execute(UNMAPPED_SPEND_SQL).fetchone()
    lines.append(
        f"unmapped ad spend: {float(spend):,.2f} yuan in {campaigns} platform campaign(s)"
        + (" - see marts.rpt_unmapped_ad_spend" if campaigns else "")
    )
    return "\n".join(lines)


def roi_summary_lines(warehouse_path: Path) -> list[str]:
    """For the `make run` summary: top campaigns by d30 ROI and unmapped spend, from a warehouse."""
    try:
        with duckdb.connect(str(warehouse_path), read_only=True) as con:
            return top_campaigns_text(con).splitlines()
    except duckdb.Error as error:
        return [f"ROI: not available ({error.__class__.__name__})"]


def _model_order(models: list[str]) -> list[str]:
    """Panels in the registry's display order (seed attribution_models); unknown models last."""
    registered = attribution_models()
    known = [model for model in registered if model in models]
    return known + sorted(model for model in models if model not in registered)


def render_roi_curve(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Path:
    """Draw the ROI curve per channel, one panel per attribution model; returns the PNG path."""
    curve = channel_roi_curve(con)
    models = _model_order(curve["attribution_model"].unique().tolist())
    channels = sorted(curve["channel"].unique().tolist())
    colours = {
        channel: CHANNEL_COLOURS[index % len(CHANNEL_COLOURS)]
        for index, channel in enumerate(channels)
    }
    columns = 3
    rows = max(1, -(-(len(models) + 1) // columns))
    figure = Figure(figsize=(4.2 * columns, 3.3 * rows))
    grid = figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
    panels = list(grid.ravel())
    handles = {}
    for axes, model in zip(panels, models, strict=False):
        of_model = curve[curve["attribution_model"] == model]
        for channel in channels:
            line = of_model[of_model["channel"] == channel]
            (handles[channel],) = axes.plot(
                line["days_since_acquisition"],
                line["roi"].astype(float),
                color=colours[channel],
                linewidth=1.6,
            )
        axes.axhline(0, color="#444", linewidth=0.8, linestyle="--")
        axes.set_title(model, fontsize=10)
        axes.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
        axes.grid(alpha=0.25)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    for axes in grid[-1]:
        axes.set_xlabel("days since acquisition")
    for axes in grid[:, 0]:
        axes.set_ylabel("ROI")
    for axes in panels[len(models) :]:
        axes.set_axis_off()
    legend_axes = panels[len(models)] if len(models) < len(panels) else panels[0]
    if handles:
        legend_axes.legend(
            handles=[handles[channel] for channel in channels],
            labels=channels,
            title="channel (dashed: break-even)",
            loc="center",
            frameon=False,
        )
    else:
        legend_axes.text(0.5, 0.5, "no channel with ad spend yet", ha="center", va="center")
    figure.suptitle(
        "ROI curve by channel: (net revenue - ad spend) / ad spend of acquisition cohorts",
        fontsize=11,
    )
    return save_chart(figure, out_dir, CHART_NAME)


def render_roi_section(con: duckdb.DuckDBPyConnection, out_dir: Path) -> ReportSection:
    """The report page section: the ROI curve and the top campaigns by d30 ROI."""
    if not table_exists(con, "marts.rpt_channel_roi_curve"):
        return ReportSection(
            key="roi", title="ROI by channel and campaign", description="ROI marts not built."
        )
    path = render_roi_curve(con, out_dir)
    top = top_campaigns_by_roi(con, limit=10)
    curve = channel_roi_curve(con)
    at_horizon = curve[
        (curve["attribution_model"] == SUMMARY_ATTRIBUTION_MODEL)
        & (curve["days_since_acquisition"] == SUMMARY_HORIZON_DAYS)
    ]
    headline: dict[str, float | int | str] = {
        f"roi_d{SUMMARY_HORIZON_DAYS}_{row.channel}": float(row.roi)
        for row in at_horizon.itertuples()
        if not pd.isna(row.roi)
    }
    if not top.empty:
        headline["top_campaign"] = str(top["campaign_id"].iloc[0])
        headline[f"top_campaign_roi_d{SUMMARY_HORIZON_DAYS}"] = float(top["roi"].iloc[0])
    return ReportSection(
        key="roi",
        title="ROI by channel and campaign",
        image_path=path,
        description=(
            "Cumulative ROI, (net revenue - ad spend) / ad spend, by days since acquisition for "
            "the channels with ad spend, one panel per attribution model "
            "(marts.rpt_channel_roi_curve). "
            "A customer is acquired by their first paid order and credited to the campaigns that "
            "touched them before it; day N includes only acquisition days that have had N days. "
            f"Table: campaigns by d{SUMMARY_HORIZON_DAYS} ROI under {SUMMARY_ATTRIBUTION_MODEL} "
            "attribution (marts.rpt_campaign_roi_curve)."
        ),
        table_html=table_html(
            top,
            {
                "spend": ",.2f",
                "acquired_customers": ",.1f",
                "cac": ",.2f",
                "cumulative_revenue": ",.2f",
                "roi": ".1%",
                "roi_first_touch": ".1%",
                "roi_last_touch": ".1%",
            },
        ),
        data=curve,
        headline=headline,
    )
