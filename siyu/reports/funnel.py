"""Report sections of the funnel marts: the funnel, cohort retention, the three-order strategy
and the guide leaderboard. Every number drawn is read from a mart; nothing is recomputed here
except sums of additive counts across rows of a mart (and their ratios) for a roll-up.

Labels stay ASCII (ids, English stage names): the machines need not have a CJK font.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from siyu.reports.sections import ReportSection, save_chart, table_html

RETENTION_COHORTS_SHOWN = 12
RETENTION_MONTHS_SHOWN = 12
LEADERBOARD_GUIDES_SHOWN = 15
BAR_COLOUR = "#2f6b9a"
SECOND_COLOUR = "#e08a2c"

HEADLINE_FUNNEL_SQL = """
select
    stage,
    stage_order,
    previous_stage,
    conversion_window_days,
    cohort_customers,
    customers_entered,
    share_of_cohort,
    customers_eligible,
    customers_not_yet_mature,
    customers_converted,
    conversion_rate,
    median_days_from_previous,
    maturity_status,
    as_of_at
from marts.rpt_funnel_conversion
where
    cohort_grain = 'all'
    and acquisition_channel = '(all)'
    and acquisition_campaign_id = '(all)'
order by stage_order
"""

RETENTION_SQL = """
select
    cohort_month,
    months_since_first_order,
    customers,
    retained_customers,
    retention_rate,
    is_complete_month
from marts.rpt_cohort_retention
where
    cohort_month >= (
        select max(cohort_month) - to_months(?) from marts.rpt_cohort_retention
    )
    and months_since_first_order <= ?
order by cohort_month, months_since_first_order
"""

LEADERBOARD_SQL = """
select
    leaderboard_level,
    gmv_rank,
    store_id,
    guide_id,
    period_start_date,
    period_end_date,
    customers_added,
    customers_converted,
    conversion_rate,
    customers_ordered,
    orders,
    gmv,
    repeat_customers,
    repeat_rate,
    settled_customers,
    settled_rate
from marts.rpt_guide_leaderboard
order by leaderboard_level, gmv_rank
"""

# roll-up of additive counts of rpt_three_order_followup over months, stores and guides
THREE_ORDER_SQL = """
select
    is_guide_followed_up,
    is_recall_sent,
    cast(sum(first_order_customers) as bigint) as first_order_customers,
    cast(sum(customers_mature_for_second) as bigint) as customers_mature_for_second,
    cast(sum(second_order_customers) as bigint) as second_order_customers,
    sum(second_order_customers) / nullif(sum(customers_mature_for_second), 0)
        as second_order_rate,
    cast(sum(customers_mature_for_third) as bigint) as customers_mature_for_third,
    cast(sum(third_order_customers) as bigint) as third_order_customers,
    sum(third_order_customers) / nullif(sum(customers_mature_for_third), 0) as third_order_rate
from marts.rpt_three_order_followup
group by is_guide_followed_up, is_recall_sent
order by is_guide_followed_up, is_recall_sent
"""

SETTLED_BY_STORE_SQL = """
select
    store_id,
    cast(sum(first_order_customers) as bigint) as first_order_customers,
    cast(sum(settled_customers) as bigint) as settled_customers,
    sum(settled_customers) / sum(first_order_customers) as settled_rate
from marts.rpt_three_order_followup
group by store_id
order by store_id
"""


def _percent(value: float | None) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.1%}"


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def headline_funnel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The funnel of all customers (rpt_funnel_conversion, cohort 'all', every channel)."""
    return _frame(con, HEADLINE_FUNNEL_SQL)


def headline_funnel_text(con: duckdb.DuckDBPyConnection) -> str:
    """The headline funnel as lines of text, for the `make run` summary."""
    funnel = headline_funnel(con)
    if funnel.empty:
        return "funnel: no customers"
    as_of = pd.Timestamp(funnel["as_of_at"].iloc[0])
    lines = [f"funnel (all customers, as of {as_of:%Y-%m-%d %H:%M}):"]
    for row in funnel.itertuples(index=False):
        line = f"  {row.stage:<13}{row.customers_entered:>9,}"
        if row.previous_stage is not None and not pd.isna(row.previous_stage):
            line += (
                f"   {_percent(row.conversion_rate):>6} of {row.customers_eligible:,} "
                f"{row.previous_stage} within {int(row.conversion_window_days)} d"
            )
            if row.customers_not_yet_mature:
                line += f" ({row.customers_not_yet_mature:,} not yet mature)"
        lines.append(line)
    return "\n".join(lines)


def render_funnel_section(con: duckdb.DuckDBPyConnection, out_dir: Path) -> ReportSection:
    funnel = headline_funnel(con)
    figure = Figure(figsize=(8.5, 4.2))
    axes = figure.add_subplot()
    positions = np.arange(len(funnel))
    axes.barh(positions, funnel["customers_entered"], color=BAR_COLOUR)
    axes.set_yticks(positions, labels=funnel["stage"].tolist())
    axes.invert_yaxis()
    axes.set_xlabel("customers who reached the stage")
    widest = float(funnel["customers_entered"].max() or 1)
    axes.set_xlim(0, widest * 1.75)
    for position, row in zip(positions, funnel.itertuples(index=False), strict=True):
        label = f"{row.customers_entered:,}"
        if row.previous_stage is not None and not pd.isna(row.previous_stage):
            label += (
                f"   {_percent(row.conversion_rate)} of {row.previous_stage}"
                f" in {int(row.conversion_window_days)} d"
            )
        axes.text(row.customers_entered + widest * 0.02, position, label, va="center", fontsize=9)
    as_of = pd.Timestamp(funnel["as_of_at"].iloc[0]) if len(funnel) else None
    axes.set_title(
        "Customer funnel, all acquisition cohorts"
        + (f" (as of {as_of:%Y-%m-%d})" if as_of is not None else "")
    )
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    path = save_chart(figure, out_dir, "funnel")
    shown = funnel[
        [
            "stage",
            "customers_entered",
            "share_of_cohort",
            "previous_stage",
            "conversion_window_days",
            "customers_eligible",
            "customers_not_yet_mature",
            "customers_converted",
            "conversion_rate",
            "median_days_from_previous",
        ]
    ]
    headline: dict[str, float | int | str] = {
        f"{row.stage}_customers": int(row.customers_entered) for row in funnel.itertuples()
    }
    headline.update(
        {
            f"{row.stage}_conversion_rate": float(row.conversion_rate)
            for row in funnel.itertuples()
            if not pd.isna(row.conversion_rate)
        }
    )
    return ReportSection(
        key="funnel",
        title="Funnel",
        image_path=path,
        description=(
            "Customers of every acquisition cohort who reached each stage, and the conversion "
            "rate from the previous stage among customers whose conversion window has passed "
            "(marts.rpt_funnel_conversion, cohort_grain 'all')."
        ),
        table_html=table_html(
            shown,
            {
                "share_of_cohort": ".1%",
                "conversion_rate": ".1%",
                "median_days_from_previous": ".1f",
                "conversion_window_days": ".0f",
            },
        ),
        data=funnel,
        headline=headline,
    )


def render_retention_section(con: duckdb.DuckDBPyConnection, out_dir: Path) -> ReportSection:
    retention = _frame(con, RETENTION_SQL, [RETENTION_COHORTS_SHOWN - 1, RETENTION_MONTHS_SHOWN])
    rates = retention.pivot(
        index="cohort_month", columns="months_since_first_order", values="retention_rate"
    )
    sizes = retention.groupby("cohort_month")["customers"].first()
    figure = Figure(figsize=(10, 0.45 * max(len(rates), 4) + 1.6))
    axes = figure.add_subplot()
    later_months = rates.drop(columns=[0], errors="ignore")
    top = float(np.nanmax(later_months.to_numpy())) if later_months.size else 1.0
    if not top or np.isnan(top):
        top = 1.0
    axes.imshow(rates.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=top, aspect="auto")
    axes.set_xticks(range(len(rates.columns)), labels=[str(m) for m in rates.columns])
    axes.set_yticks(
        range(len(rates.index)),
        labels=[f"{pd.Timestamp(month):%Y-%m} (n={sizes[month]:,})" for month in rates.index],
    )
    axes.set_xlabel("months since first order")
    axes.set_ylabel("first-order cohort")
    axes.set_title("Cohort retention: share of the cohort ordering in each month")
    for (row_index, column_index), value in np.ndenumerate(rates.to_numpy(dtype=float)):
        if not np.isnan(value):
            axes.text(
                column_index,
                row_index,
                f"{value:.0%}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if value > top * 0.6 else "black",
            )
    path = save_chart(figure, out_dir, "cohort_retention")
    month_one = retention[retention["months_since_first_order"] == 1]
    return ReportSection(
        key="cohort_retention",
        title="Cohort retention",
        image_path=path,
        description=(
            f"The last {RETENTION_COHORTS_SHOWN} monthly first-order cohorts over "
            f"{RETENTION_MONTHS_SHOWN} months (marts.rpt_cohort_retention); month 0 is the month "
            "of the first order. The colour scale is set by months 1 and later."
        ),
        data=retention,
        headline={
            "cohorts_shown": len(rates),
            "latest_complete_month_1_retention": float(
                month_one[month_one["is_complete_month"]]["retention_rate"].iloc[-1]
            )
            if month_one["is_complete_month"].any()
            else "n/a",
        },
    )


def render_three_order_section(con: duckdb.DuckDBPyConnection, out_dir: Path) -> ReportSection:
    three_order = _frame(con, THREE_ORDER_SQL)
    settled = _frame(con, SETTLED_BY_STORE_SQL)
    labels = [
        ("guide 1v1" if row.is_guide_followed_up else "no guide")
        + " / "
        + ("recall sent" if row.is_recall_sent else "no recall")
        + f"\n(n={row.first_order_customers:,})"
        for row in three_order.itertuples()
    ]
    figure = Figure(figsize=(8.5, 4))
    axes = figure.add_subplot()
    positions = np.arange(len(three_order))
    width = 0.38
    second = three_order["second_order_rate"].astype(float).fillna(0)
    third = three_order["third_order_rate"].astype(float).fillna(0)
    axes.bar(positions - width / 2, second, width, color=BAR_COLOUR, label="2nd order by next day")
    axes.bar(positions + width / 2, third, width, color=SECOND_COLOUR, label="3rd order in 7 days")
    highest = float(max(second.max(), third.max(), 0.01)) if len(three_order) else 0.01
    for position in positions:
        for offset, rate in (
            (-width / 2, second.iloc[position]),
            (width / 2, third.iloc[position]),
        ):
            axes.text(
                position + offset, rate + highest * 0.01, f"{rate:.1%}", ha="center", fontsize=7
            )
    axes.set_ylim(0, highest * 1.3)
    axes.set_xticks(positions, labels=labels, fontsize=8)
    axes.set_ylabel("share of mature first orders")
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    axes.legend(frameon=False, loc="upper left", fontsize=8)
    axes.set_title("Three-order strategy by guide follow-up and recall", pad=12)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    path = save_chart(figure, out_dir, "three_order")
    return ReportSection(
        key="three_order",
        title="Three-order strategy and 7-day recall",
        image_path=path,
        description=(
            "First orders split by whether a guide followed up 1v1 (the customer was a guide's "
            "WeCom contact soon after the first order, var siyu_funnel_followup_hours) and "
            "whether a recall coupon or SMS was sent; rates over first orders whose window has "
            "passed "
            "(marts.rpt_three_order_followup, summed over months, stores and guides). "
            "The table: first-order customers settled into owned channels (WeCom contact or OA "
            "follower) by store."
        ),
        table_html=table_html(settled, {"settled_rate": ".1%"}),
        data=three_order,
        headline={
            "first_order_customers": int(three_order["first_order_customers"].sum()),
        },
    )


def render_leaderboard_section(con: duckdb.DuckDBPyConnection, out_dir: Path) -> ReportSection:
    board = _frame(con, LEADERBOARD_SQL)
    guides = board[board["leaderboard_level"] == "guide"].head(LEADERBOARD_GUIDES_SHOWN)
    stores = board[board["leaderboard_level"] == "store"]
    figure = Figure(figsize=(8.5, 0.4 * max(len(guides), 4) + 1.4))
    axes = figure.add_subplot()
    positions = np.arange(len(guides))
    gmv = guides["gmv"].astype(float)
    axes.barh(positions, gmv, color=BAR_COLOUR)
    axes.set_yticks(
        positions,
        labels=[f"#{row.gmv_rank} {row.guide_id} ({row.store_id})" for row in guides.itertuples()],
    )
    axes.invert_yaxis()
    widest = float(gmv.max()) if len(gmv) and gmv.max() > 0 else 1.0
    axes.set_xlim(0, widest * 1.6)
    for position, row in zip(positions, guides.itertuples(), strict=True):
        axes.text(
            float(row.gmv) + widest * 0.02,
            position,
            f"{float(row.gmv):,.0f} yuan, {row.customers_ordered} buyers, "
            f"repeat {_percent(row.repeat_rate)}",
            va="center",
            fontsize=8,
        )
    period = (
        f"{pd.Timestamp(board['period_start_date'].iloc[0]):%Y-%m-%d} to "
        f"{pd.Timestamp(board['period_end_date'].iloc[0]):%Y-%m-%d}"
        if len(board)
        else "no period"
    )
    axes.set_xlabel("GMV, yuan (net of refunds)")
    axes.set_title(f"Guide leaderboard, {period}")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    path = save_chart(figure, out_dir, "guide_leaderboard")
    columns = [
        "gmv_rank",
        "store_id",
        "guide_id",
        "customers_added",
        "customers_converted",
        "customers_ordered",
        "orders",
        "gmv",
        "repeat_rate",
        "settled_rate",
    ]
    formats = {"gmv": ",.2f", "repeat_rate": ".1%", "settled_rate": ".1%"}
    tables = (
        "<h3>Guides</h3>"
        + table_html(board[board["leaderboard_level"] == "guide"][columns], formats)
        + "<h3>Stores</h3>"
        + table_html(stores[[c for c in columns if c != "guide_id"]], formats)
    )
    top = guides.iloc[0] if len(guides) else None
    return ReportSection(
        key="guide_leaderboard",
        title="Guide and store leaderboard",
        image_path=path,
        description=(
            f"Guides ranked by GMV credited to them over {period} (marts.rpt_guide_leaderboard): "
            "store orders they served, and owned-channel orders of the customers they own."
        ),
        table_html=tables,
        data=board,
        headline={
            "period": period,
            "top_guide": str(top["guide_id"]) if top is not None else "n/a",
            "top_guide_gmv": float(top["gmv"]) if top is not None else 0.0,
        },
    )
