"""How many customers each tag and audience holds, for the run summary and the CLI."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import duckdb

TOP_VALUES = 4


@dataclass(frozen=True)
class TagCount:
    tag_key: str
    tag_source: str
    value_type: str
    customers: int
    top_values: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class AudienceCount:
    audience_key: str
    label: str
    members: int
    by_channel: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class TagAudienceSummary:
    customers: int
    tags: list[TagCount]
    audiences: list[AudienceCount]


def summarise_tags_and_audiences(con: duckdb.DuckDBPyConnection) -> TagAudienceSummary:
    """Counts from the marts tag_definitions, customer_tags and audience_* of a warehouse."""
    values: dict[str, list[tuple[str, int]]] = {}
    for tag_key, tag_value, customers in con.execute(
        """
        select customer_tags.tag_key, customer_tags.tag_value, count(*) as customers
        from marts.customer_tags
        inner join marts.tag_definitions
            on customer_tags.tag_key = tag_definitions.tag_key
        where tag_definitions.value_type = 'text'
        group by 1, 2
        order by 1, 3 desc, 2
        """
    ).fetchall():
        values.setdefault(tag_key, []).append((tag_value, customers))
    tags = [
        TagCount(key, source, value_type, customers, tuple(values.get(key, [])[:TOP_VALUES]))
        for key, source, value_type, customers in con.execute(
            "select tag_key, tag_source, value_type, customers_count from marts.tag_definitions "
            "order by case tag_source when 'rule' then 1 when 'manual' then 2 else 3 end, tag_key"
        ).fetchall()
    ]
    channels: dict[str, dict[str, int]] = {}
    for audience_key, channel, members in con.execute(
        "select audience_key, channel, count(*) from marts.audience_members group by 1, 2 "
        "order by 1, 2"
    ).fetchall():
        channels.setdefault(audience_key, {})[channel] = members
    audiences = [
        AudienceCount(key, label, members, channels.get(key, {}))
        for key, label, members in con.execute(
            "select audience_key, audience_label, members_count from marts.audience_definitions "
            "order by audience_key"
        ).fetchall()
    ]
    customers = con.execute("select count(*) from marts.dim_customer").fetchone()[0]
    return TagAudienceSummary(customers=customers, tags=tags, audiences=audiences)


def _padded(text: str, width: int) -> str:
    """Left-aligned in `width` terminal columns: CJK characters take two (WeCom tag names)."""
    shown = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(width - shown, 1)


def format_tag_audience_summary(summary: TagAudienceSummary) -> str:
    lines = [f"tags ({len(summary.tags)}; customers: {summary.customers:,})"]
    for tag in summary.tags:
        shown = ", ".join(f"{value} {count:,}" for value, count in tag.top_values)
        lines.append(
            f"  {_padded(tag.tag_key, 32)}{tag.tag_source:<8}{tag.customers:>8,}"
            + (f"  ({shown})" if shown else "")
        )
    lines.append(f"audiences ({len(summary.audiences)})")
    for audience in summary.audiences:
        by_channel = ", ".join(
            f"{channel} {count:,}" for channel, count in audience.by_channel.items()
        )
        lines.append(
            f"  {_padded(audience.audience_key, 32)}{audience.members:>8,}"
            + (f"  ({by_channel})" if by_channel else "")
        )
    return "\n".join(lines)
