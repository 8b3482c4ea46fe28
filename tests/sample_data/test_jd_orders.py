"""The JD (京东) POP order export of the sample-data generator: format, quirks, masking, ground
truth, and that adding it left every other source as it was."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from sample_data import generate
from sample_data.sources import jd

SCALE = 0.02  # a few hundred JD orders, so every status and quirk shows
SEED = 7
REPO_SEEDS = Path(__file__).resolve().parents[2] / "seeds"

HEADER = (
    "订单号,商品ID,商品名称,订购数量,支付方式,下单时间,京东价,订单金额,结算金额,余额支付,应付金额,"
    "订单状态,订单类型,下单帐号,客户姓名,客户地址,联系电话,订单备注,发票类型,发票抬头,发票内容,"
    "商家备注,商家备注等级（等级1-5为由高到低）,运费金额,付款确认时间,增值税发票,货号,订单完成时间,"
    "订单来源,订单渠道"
)
NEWER = ",送装服务,服务费,仓库id,仓库名称"
BARE = {
    "订单号",
    "商品ID",
    "订购数量",
    "京东价",
    "订单金额",
    "结算金额",
    "余额支付",
    "应付金额",
    "商家备注等级（等级1-5为由高到低）",
    "运费金额",
    "服务费",
    "仓库id",
}
ORDER_AMOUNTS = ("订单金额", "结算金额", "余额支付", "应付金额", "运费金额")
STATUSES = {"等待出库", "等待确认收货", "完成", "取消", "已取消", "已锁定", "暂停"}
TIME = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
CLEAR_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("jd_sample")
    generate(out, scale=SCALE, seed=SEED)
    return out


def _jd_files(root: Path) -> list[Path]:
    return sorted((root / "landing" / "jd_orders").glob("*.csv"))


def _rows(root: Path) -> list[tuple[Path, int, dict[str, str]]]:
    """(file, row number, record) of every JD row."""
    found = []
    for path in _jd_files(root):
        text = path.read_bytes().decode("gbk")
        for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=1):
            found.append((path, number, row))
    return found


def _faulty(root: Path) -> set[tuple[str, int]]:
    with (root / "ground_truth" / "faults.csv").open(encoding="utf-8", newline="") as handle:
        return {
            (f["file"], int(f["row_number"]))
            for f in csv.DictReader(handle)
            if f["source"] == "jd_orders"
        }


def _orders(root: Path) -> dict[str, list[dict[str, str]]]:
    orders: dict[str, list[dict[str, str]]] = defaultdict(list)
    for _, _, row in _rows(root):
        orders[row["订单号"]].append(row)
    return orders


def _identities(root: Path) -> list[dict[str, str]]:
    with (root / "ground_truth" / "identities.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _yuan(text: str) -> int:
    assert re.fullmatch(r"\d+\.\d{2}", text), text
    return int(text.replace(".", ""))


# ------------------------------------------------------------------------------------------


def test_files_are_gbk_monthly_exports_with_the_back_office_header(sample: Path) -> None:
    files = _jd_files(sample)
    assert [p.name for p in files] == [f"订单导出_2026-{m:02d}.csv" for m in range(5, 12)]
    headers = set()
    for path in files:
        raw = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("gbk")
        assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
        header = text.split("\r\n", 1)[0]
        assert header.startswith(HEADER + ",") or header == HEADER
        headers.add(header)
    assert headers == {HEADER, HEADER + NEWER}, "older months lack the newer trailing columns"
    assert (files[0].read_bytes().decode("gbk").split("\r\n", 1)[0]) == HEADER
    assert (files[-1].read_bytes().decode("gbk").split("\r\n", 1)[0]) == HEADER + NEWER


def test_ids_are_bare_digits_and_every_text_field_is_quoted(sample: Path) -> None:
    for path in _jd_files(sample):
        text = path.read_bytes().decode("gbk")
        header, *lines = text.split("\r\n")[:-1]
        columns = header.split(",")
        parsed = list(csv.reader(io.StringIO(text)))[1:]
        assert len(parsed) == len(lines)
        for line, row in zip(lines, parsed, strict=True):
            assert len(row) == len(columns)
            assert re.fullmatch(r"\d{12}", row[0]) and re.fullmatch(r"\d{10,13}", row[1])
            expected = ",".join(
                value if column in BARE else '"' + value.replace('"', '""') + '"'
                for column, value in zip(columns, row, strict=True)
            )
            assert line == expected


def test_multi_sku_orders_repeat_the_order_amounts_on_each_row(sample: Path) -> None:
    faulty = _faulty(sample)
    landing = sample / "landing"
    all_rows = _orders(sample)
    orders: dict[str, list[dict[str, str]]] = defaultdict(list)
    for path, number, row in _rows(sample):
        if (str(path.relative_to(landing)), number) not in faulty:
            orders[row["订单号"]].append(row)
    multi = [rows for rows in orders.values() if len(rows) > 1]
    assert 0.15 <= len(multi) / len(orders) <= 0.45
    for rows in orders.values():
        for column in (*ORDER_AMOUNTS, "下单时间", "付款确认时间", "订单状态", "下单帐号"):
            assert len({row[column] for row in rows}) == 1, (column, rows)
        assert len({row["商品ID"] for row in rows}) == len(rows), "one row per SKU"
        first = rows[0]
        goods = sum(_yuan(row["京东价"]) * int(row["订购数量"]) for row in rows)
        if len(rows) == len(all_rows[first["订单号"]]):  # all of its rows are clean
            assert _yuan(first["订单金额"]) == goods + _yuan(first["运费金额"])
        settled, balance = _yuan(first["结算金额"]), _yuan(first["余额支付"])
        assert settled <= _yuan(first["订单金额"])
        assert _yuan(first["应付金额"]) == settled - balance


def test_buyers_are_masked(sample: Path) -> None:
    for path in _jd_files(sample):
        assert not CLEAR_MOBILE.search(path.read_bytes().decode("gbk")), path.name
    empty_phones = 0
    for _, _, row in _rows(sample):
        assert re.fullmatch(r"[\u4e00-\u9fff]\*{1,3}", row["客户姓名"]), row["客户姓名"]
        assert re.fullmatch(r"jd_[0-9a-z]{3}\*{3}|[a-z]\*{3}[0-9a-z]", row["下单帐号"])
        assert re.fullmatch(r"(1[3-9]\d\*{4}\d{4})?", row["联系电话"]), row["联系电话"]
        assert re.fullmatch(r"\S+ \S+ \S+ \*{4}", row["客户地址"]), row["客户地址"]
        empty_phones += row["联系电话"] == ""
    assert empty_phones > 0


def test_statuses_payment_and_completion_times(sample: Path) -> None:
    statuses = set()
    for rows in _orders(sample).values():
        row = rows[0]
        status = row["订单状态"].removeprefix("(删除)")
        assert status in STATUSES, row["订单状态"]
        statuses.add(row["订单状态"])
        assert re.fullmatch(TIME, row["下单时间"])
        paid, finished = row["付款确认时间"], row["订单完成时间"]
        if paid == "":
            assert status in ("取消", "已取消"), "only an order cancelled unpaid has no payment"
        else:
            assert re.fullmatch(TIME, paid) and paid >= row["下单时间"]
        assert (finished != "") == (status == "完成")
        if finished:
            assert re.fullmatch(TIME, finished) and finished > paid
    assert {"完成", "等待确认收货", "等待出库"} <= statuses
    assert statuses & {"取消", "已取消"}
    assert any(s.startswith("(删除)") for s in statuses)


def test_the_junk_order_amount_is_where_the_ground_truth_says(sample: Path) -> None:
    (fault,) = _faulty(sample)
    rows = {(str(p.relative_to(sample / "landing")), n): r for p, n, r in _rows(sample)}
    junk = rows.pop(fault)
    assert junk["订单金额"] == "--"
    others = [row for row in rows.values() if row["订单号"] == junk["订单号"]]
    assert others and all(re.fullmatch(r"\d+\.\d{2}", row["订单金额"]) for row in others)


def test_jd_buyers_in_the_ground_truth_are_the_buyers_of_the_export(sample: Path) -> None:
    identities = _identities(sample)
    truth = {r["id_value"]: r for r in identities if r["id_type"] == "jd_buyer"}
    first_order: dict[str, str] = {}
    for _, _, row in _rows(sample):
        key = "|".join(row[c] for c in ("下单帐号", "客户姓名", "联系电话", "客户地址"))
        first_order[key] = min(first_order.get(key, "9999"), row["下单时间"][:10])
    assert set(truth) == set(first_order)
    for key, row in truth.items():
        assert row["first_seen_on"] == first_order[key]
    # the masked phone and the family name agree with what the person shows elsewhere
    of_person: dict[str, dict[str, str]] = defaultdict(dict)
    for row in identities:
        if row["id_type"] in ("phone", "douyin_buyer", "jd_buyer"):
            of_person[row["person_id"]][row["id_type"]] = row["id_value"]
    phones = names = 0
    for ids in of_person.values():
        if "jd_buyer" not in ids:
            continue
        _, name, masked, _ = ids["jd_buyer"].split("|")
        if "phone" in ids and masked:
            assert masked == ids["phone"][:3] + "****" + ids["phone"][-4:]
            phones += 1
        if "douyin_buyer" in ids:
            clear_name, douyin_masked, *_ = ids["douyin_buyer"].split("|")
            assert name == clear_name[0] + "*" * (len(clear_name) - 1)
            assert masked in ("", douyin_masked)
            names += 1
    assert phones > 10 and names > 3


def test_generation_is_deterministic(sample: Path, tmp_path: Path) -> None:
    generate(tmp_path, scale=SCALE, seed=SEED)
    assert [p.read_bytes() for p in _jd_files(tmp_path)] == [
        p.read_bytes() for p in _jd_files(sample)
    ]


def _other_sources(landing: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(landing)): p.read_bytes()
        for p in sorted(landing.rglob("*"))
        if p.is_file() and "jd_orders" not in p.parts
    }


def test_other_sources_do_not_depend_on_jd(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other JD draws (another random stream) leave every other file and identity as it was."""
    original = jd.draw_jd_orders

    def other_draws(rng: np.random.Generator, *args, **kwargs):
        return original(np.random.default_rng(SEED + 1_000), *args, **kwargs)

    monkeypatch.setattr(jd, "draw_jd_orders", other_draws)
    generate(tmp_path, scale=SCALE, seed=SEED)
    assert [p.read_bytes() for p in _jd_files(tmp_path)] != [
        p.read_bytes() for p in _jd_files(sample)
    ]
    assert _other_sources(tmp_path / "landing") == _other_sources(sample / "landing")
    for name in ("people.csv", "identity_bridges.csv", "campaigns.csv", "junk_identifiers.csv"):
        assert (tmp_path / "ground_truth" / name).read_bytes() == (
            sample / "ground_truth" / name
        ).read_bytes()
    others = [
        (r["person_id"], r["id_type"], r["id_value"], r["first_seen_on"])
        for r in _identities(tmp_path)
        if r["id_type"] != "jd_buyer"
    ]
    assert others == [
        (r["person_id"], r["id_type"], r["id_value"], r["first_seen_on"])
        for r in _identities(sample)
        if r["id_type"] != "jd_buyer"
    ]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_committed_sample_is_what_make_sample_writes(tmp_path: Path) -> None:
    """`make sample` (scale 0.02, seed 42) reproduces every committed file, JD's included."""
    generate(tmp_path, scale=0.02, seed=42, start=date(2026, 5, 1), end=date(2026, 11, 20))
    committed = {str(p.relative_to(REPO_SEEDS)): _digest(p) for p in REPO_SEEDS.rglob("*.*")}
    fresh = {str(p.relative_to(tmp_path)): _digest(p) for p in tmp_path.rglob("*.*")}
    assert any(name.startswith("landing/jd_orders/") for name in committed)
    assert fresh == committed
