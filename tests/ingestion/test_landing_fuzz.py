"""A property-based fuzz of landing files, per source format: beside a good file, a file of random
bytes, cut short, in the wrong encoding or two, with a BOM, a bare array, pages without their
record list, or mixed line breaks. Whatever it holds:

* no source fails because of another file: the good file loads in full;
* for every file, records in = loaded + quarantined, in `raw.loaded_files`, the raw table and
  `raw.quarantine` alike;
* nothing is recorded as loaded that yielded no record, and nothing of a file not loaded is
  written;
* ingesting the same folder again changes nothing.
"""

from __future__ import annotations

import codecs
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from siyu.ingestion.outcomes import SourceIngestReport
from tests.ingestion.test_loader import SPECS, ingest
from tests.landing import LandingBuilder

# about 25 s for the four formats on one core
settings.register_profile(
    "landing-fuzz",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("landing-fuzz")

# one source of each format, and the extension its files have
SOURCE_OF_FORMAT = {
    "csv": ("pos_orders", "csv"),
    "json_pages": ("ads_tencent", "json"),
    "jsonl": ("coupons", "jsonl"),
    "wechatpay_bill": ("wechatpay_bills", "csv"),
}
WORDS = ["面霜", "交易成功", "满100减20", "tb_小红", "上海市浦东新区", "x", 'O\'Brien, "Jr"']


def pos_orders(words: list[str]) -> list[str]:
    """A header and one order a word (quoted, quotes doubled)."""
    header = (
        "order_no,member_id,store_id,guide_id,order_time,amount,discount,coupon_id,status,items"
    )
    return [header] + [
        f'P{n},M{n},S1,G1,2026-11-01 10:00:00,19.90,0,,paid,"{word.replace(chr(34), 2 * chr(34))}"'
        for n, word in enumerate(words)
    ]


def ads_tencent_records(words: list[str]) -> list[dict]:
    return [
        {"date": "2026-11-01", "campaign_id": f"c{n}", "cost": str(100 + n), "note": word}
        for n, word in enumerate(words)
    ]


def coupons_records(words: list[str]) -> list[dict]:
    return [
        {
            "coupon_id": f"cp{n}",
            "openid": f"o{n}",
            "status": "SENDED",
            "create_time": "2026-11-01T10:00:00+08:00",
            "coupon_name": word,
        }
        for n, word in enumerate(words)
    ]


def wechatpay_bill(words: list[str]) -> tuple[str, list[str], list[str]]:
    columns = SPECS["wechatpay_bills"].columns
    rows = []
    for n, word in enumerate(words):
        values = dict.fromkeys(columns, "")
        values |= {
            "trade_time": "2026-11-01 10:00:00",
            "transaction_id": f"4200{n}",
            "out_trade_no": f"T{n}",
            "payer_openid": f"o{n}",
            "trade_state": "SUCCESS",
            "settlement_total": "19.90",
            "refund_amount": "0.00",
            "product_name": word.replace(",", " ").replace('"', ""),
        }
        rows.append(",".join("`" + values[name] for name in columns))
    summary = ["总交易单数,应结订单总金额", f"`{len(words)},`19.90"]
    return ",".join(columns.values()), rows, summary


def lines_of(file_format: str, words: list[str]) -> list[str]:
    """A well-formed file of the format, one record per word, as lines without line breaks."""
    if file_format == "csv":
        return pos_orders(words)
    if file_format == "wechatpay_bill":
        header, rows, summary = wechatpay_bill(words)
        return [header, *rows, *summary]
    if file_format == "jsonl":
        return [json.dumps(record, ensure_ascii=False) for record in coupons_records(words)]
    page = {"code": 0, "message": "", "data": {"list": ads_tencent_records(words)}}
    return [json.dumps(page, ensure_ascii=False)]


def records_of(file_format: str, words: list[str]) -> list[dict]:
    return coupons_records(words) if file_format == "jsonl" else ads_tencent_records(words)


word_lists = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4)


@st.composite
def bad_files(draw: st.DrawFn, file_format: str) -> bytes:
    """The bytes of a file that is broken in one of the ways deliveries break."""
    lines = lines_of(file_format, draw(word_lists))
    text = "\n".join(lines) + "\n"
    encoded = text.encode()
    breakers: dict[str, Callable[[], bytes]] = {
        "random bytes": lambda: draw(st.binary(min_size=1, max_size=200)),
        "cut short": lambda: encoded[: draw(st.integers(1, max(len(encoded) - 1, 1)))],
        "a byte changed": lambda: _with_byte(encoded, draw(st.integers(0, len(encoded) - 1)), draw),
        "another encoding": lambda: text.encode(
            draw(st.sampled_from(["gbk", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"]))
        ),
        "a BOM before": lambda: (
            draw(st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE]))
            + encoded
        ),
        "lines in two encodings": lambda: b"".join(
            (line + "\n").encode(draw(st.sampled_from(["utf-8", "gbk"]))) for line in lines
        ),
        "mixed line breaks": lambda: "".join(
            line + draw(st.sampled_from(["\n", "\r\n", "\r"])) for line in lines
        ).encode(),
    }
    if file_format in ("json_pages", "jsonl"):
        records = records_of(file_format, draw(word_lists))
        breakers["a bare array"] = lambda: json.dumps(
            records, ensure_ascii=False, indent=draw(st.sampled_from([None, 2]))
        ).encode()
    if file_format == "json_pages":
        breakers["a page without its record list"] = lambda: json.dumps(
            {"code": 0, "data": draw(st.sampled_from([{}, {"list": None}, {"page_info": {}}]))}
        ).encode()
    return breakers[draw(st.sampled_from(sorted(breakers)))]()


def _with_byte(encoded: bytes, position: int, draw: st.DrawFn) -> bytes:
    replacement = draw(st.integers(0, 255)).to_bytes(1, "big")
    return encoded[:position] + replacement + encoded[position + 1 :]


def table_counts(con: duckdb.DuckDBPyConnection, table: str, column: str) -> dict[str, int]:
    rows = con.execute(f"select {column}, count(*) from {table} group by 1").fetchall()
    return dict(rows)


def assert_every_file_accounted(con: duckdb.DuckDBPyConnection, report: SourceIngestReport):
    spec = SPECS[report.source]
    ledger = {
        name: (read, loaded, quarantined)
        for name, read, loaded, quarantined in con.execute(
            "select file_name, rows_read, rows_loaded, rows_quarantined from raw.loaded_files"
        ).fetchall()
    }
    raw_rows = table_counts(con, spec.raw_table, "_file_name")
    quarantined = table_counts(con, "raw.quarantine", "file_name")
    for outcome in report.files:
        name = outcome.file_name
        if outcome.status == "loaded":
            counts = (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined)
            assert ledger[name] == counts, name
            assert outcome.rows_read == outcome.rows_loaded + outcome.rows_quarantined > 0, name
            assert raw_rows.get(name, 0) == outcome.rows_loaded, name
            assert quarantined.get(name, 0) == outcome.rows_quarantined, name
        else:
            assert outcome.detail, f"{name}: {outcome.status} without a reason"
            assert name not in ledger and name not in raw_rows and name not in quarantined, name


def warehouse_state(con: duckdb.DuckDBPyConnection, raw_table: str) -> list:
    return [
        con.execute(f"select * from {table} order by all").fetchall()
        for table in (raw_table, "raw.quarantine", "raw.loaded_files")
    ]


@pytest.mark.parametrize("file_format", sorted(SOURCE_OF_FORMAT))
@FUZZ
@given(data=st.data())
def test_a_bad_file_beside_a_good_one_never_costs_the_good_one(file_format, data):
    source, extension = SOURCE_OF_FORMAT[file_format]
    words = data.draw(word_lists, label="good file")
    good = ("\n".join(lines_of(file_format, words)) + "\n").encode()
    bad = data.draw(bad_files(file_format), label="bad file")
    assume(bad != good)  # the same bytes under another name: a re-delivery, skipped
    bad_name = data.draw(st.sampled_from([f"0_bad.{extension}", f"子目录/坏 文件.{extension}"]))
    with tempfile.TemporaryDirectory(prefix="siyu-fuzz-") as folder:
        landing = Path(folder) / ".local" / "landing"
        for name, content in ((f"a_good.{extension}", good), (bad_name, bad)):
            LandingBuilder(landing).add(source, name, content)
        with duckdb.connect() as con:
            first = ingest(con, source, landing)
            (good_outcome,) = [
                o for o in first.files if o.file_name.endswith("a_good." + extension)
            ]
            assert (good_outcome.status, good_outcome.rows_loaded) == ("loaded", len(words))
            assert good_outcome.rows_quarantined == 0
            assert_every_file_accounted(con, first)
            before = warehouse_state(con, SPECS[source].raw_table)

            second = ingest(con, source, landing)

            assert warehouse_state(con, SPECS[source].raw_table) == before
            assert [o.status for o in second.files] == [
                "refused" if o.status == "refused" else "skipped" for o in first.files
            ]
