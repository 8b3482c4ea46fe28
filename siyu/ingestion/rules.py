"""The row rules: which staged records go to quarantine, and why.

A record that leaves a `not_empty` field empty, or has a value of the wrong shape (`formats` in
sources.yml), is marked with the first rule it breaks as readers stage it (`insert_records`) and
quarantined with that rule's field and reason (`quarantine_broken_records`); a row written in
another encoding than the rest of its file (mojibake, found by encoding.py) is quarantined in
place of what the reader staged for it (`quarantine_misencoded_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import duckdb
import pyarrow as pa
import yaml

from siyu.ingestion.raw_tables import MAX_RAW_TEXT
from siyu.ingestion.specs import SourceSpec
from siyu.ingestion.sql import literal, quote
from siyu.ingestion.staging import Delivery
from siyu.settings import DBT_PROJECT_DIR

# What a value of each format looks like once the platforms' wrappers are stripped.
VALUE_FORMAT_SQL = {
    "local_datetime": "try_strptime({v}, {layouts}) is not null",
    "date": "try_strptime({v}, '%Y-%m-%d') is not null",
    "digits": "regexp_full_match({v}, '[0-9]+')",
    "amount": r"regexp_full_match({v}, '[0-9]+(\.[0-9]+)?')",
}
VALUE_FORMAT_NAMES = {
    "local_datetime": "a local date-time such as yyyy-MM-dd HH:mm:ss",
    "date": "a date yyyy-MM-dd",
    "digits": "a whole number",
    "amount": "a non-negative amount",
}


@dataclass(frozen=True)
class RowRule:
    """A rule a record can break: the field, the SQL condition under which the rule fails, and
    the SQL expression of the reason."""

    field: str
    broken_when: str
    reason: str


@cache
def local_datetime_layouts() -> str:
    """The dbt var siyu_local_datetime_layouts as a SQL list: staging parses the same layouts."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    layouts = project["vars"]["siyu_local_datetime_layouts"]
    return "[" + ", ".join(literal(layout) for layout in layouts) + "]"


def unwrapped(column: str) -> str:
    """The value without a leading backtick, ="..." guard or surrounding white space."""
    trimmed = f"trim({column}, ' ' || chr(9) || chr(10) || chr(13))"
    return f"""regexp_replace(regexp_replace({trimmed}, '^`', ''), '^="(.*)"$', '\\1')"""


def row_rules(spec: SourceSpec) -> list[RowRule]:
    """The source's rules, required fields first, then the formats."""
    return [required_rule(name) for name in spec.not_empty] + [
        format_rule(name, kind) for name, kind in spec.formats.items()
    ]


def required_rule(name: str) -> RowRule:
    # a lone wrapper (a bill's backtick, ="") is as empty as no value
    return RowRule(
        field=name,
        broken_when=f"nullif({unwrapped(quote(name))}, '') is null",
        reason=literal(f"required field {name} is empty"),
    )


def format_rule(name: str, kind: str) -> RowRule:
    value = unwrapped(quote(name))
    check = VALUE_FORMAT_SQL[kind].format(v=value, layouts=local_datetime_layouts())
    return RowRule(
        field=name,
        broken_when=f"nullif({value}, '') is not null and not ({check})",
        reason=(
            f"{literal(f'field {name}: ')} || {quote(name)} || "
            f"{literal(f' is not {VALUE_FORMAT_NAMES[kind]}')}"
        ),
    )


def insert_records(con: duckdb.DuckDBPyConnection, spec: SourceSpec, records_sql: str) -> None:
    """Append a reader's records (`_file_id, _row_number, <raw columns>, _raw_record`) to
    _records, each marked with the first not_empty or format rule it breaks (`_broken_rule`,
    null for a good record). Only a broken record keeps its raw text: nothing else needs it."""
    rules = row_rules(spec)
    first_broken = " ".join(
        f"when {rule.broken_when} then {number}" for number, rule in enumerate(rules)
    )
    con.execute(
        f"""
        insert into _records by name
        with checked as (
            select *, {f"case {first_broken} end" if rules else "null::integer"} as _broken_rule
            from ({records_sql})
        )
        select * replace (
            case when _broken_rule is not null then _raw_record end as _raw_record
        )
        from checked
        """
    )


def quarantine_broken_records(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    """Add the records that break a row rule to _parse_failures, with that rule's field and
    reason."""
    rules = row_rules(spec)
    if not rules:
        return
    field_of = " ".join(f"when {n} then {literal(rule.field)}" for n, rule in enumerate(rules))
    reason_of = " ".join(f"when {n} then {rule.reason}" for n, rule in enumerate(rules))
    con.execute(
        f"""
        insert into _parse_failures
        select _file_id, _row_number, case _broken_rule {field_of} end,
            case _broken_rule {reason_of} end, _raw_record
        from _records
        where _broken_rule is not null
        """
    )


def quarantine_misencoded_rows(
    con: duckdb.DuckDBPyConnection, deliveries: Sequence[Delivery]
) -> None:
    """Replace each staged row written in another encoding than the rest of its file (decoded
    right, and flagged, by encoding.py) by one failure with that reason. Rows encoding.py counted
    that no reader staged (a bill's summary lines) are left alone."""
    misencoded = [
        (delivery.file_id, row, delivery.decoded.misencoded_reason, text[:MAX_RAW_TEXT])
        for delivery in deliveries
        for row, text in delivery.decoded.misencoded_rows.items()
    ]
    if not misencoded:
        return
    file_ids, rows, reasons, texts = (list(column) for column in zip(*misencoded, strict=True))
    con.register(
        "_misencoded_arrow",
        pa.table(
            {
                "_file_id": pa.array(file_ids, pa.int64()),
                "_row_number": pa.array(rows, pa.int64()),
                "reason": reasons,
                "raw_record": texts,
            }
        ),
    )
    con.execute(
        """
        create or replace temp table _misencoded as
        select * from _misencoded_arrow as misencoded
        where (_file_id, _row_number) in (select (_file_id, _row_number) from _records)
            or (_file_id, _row_number) in (select (_file_id, _row_number) from _parse_failures)
        """
    )
    con.unregister("_misencoded_arrow")
    for table in ("_records", "_parse_failures"):
        con.execute(
            f"delete from {table} "
            "where (_file_id, _row_number) in (select (_file_id, _row_number) from _misencoded)"
        )
    con.execute(
        "insert into _parse_failures "
        "select _file_id, _row_number, null, reason, raw_record from _misencoded"
    )
