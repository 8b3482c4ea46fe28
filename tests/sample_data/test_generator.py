"""The sample-data generator: formats and quirks the ingestion relies on, ground truth that the
identity tests rely on, determinism and incremental deliveries."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from sample_data import SOURCES, generate
from sample_data.__main__ import main

SCALE = 0.005
SEED = 7
JSON_RECORDS = {
    "wecom_contacts": ("external_contact_list",),
    "oa_followers": ("user_info_list",),
    "ads_tencent": ("data", "list"),
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate(out, scale=SCALE, seed=SEED)
    return out


def _files(root: Path) -> dict[str, bytes]:
    paths = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in paths}


def _text(path: Path) -> str:
    encoding = "gbk" if path.parent.name in ("tmall_orders", "jd_orders") else "utf-8-sig"
    return path.read_bytes().decode(encoding)


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    header, *rows = list(csv.reader(io.StringIO(_text(path))))
    return header, rows


def _page_records(source: str, page: dict) -> list[str]:
    if source == "wecom_tags":
        return [
            json.dumps([g["group_id"], t], sort_keys=True)
            for g in page["tag_group"]
            for t in g["tag"]
        ]
    records = page
    for key in JSON_RECORDS[source]:
        records = records[key]
    return [json.dumps(record, sort_keys=True, ensure_ascii=False) for record in records]


def landing_records(landing: Path) -> dict[str, Counter]:
    """Every record of every source as comparable text, regardless of how files are cut."""
    found: dict[str, Counter] = {}
    for folder in sorted(p for p in landing.iterdir() if p.is_dir()):
        records: Counter = Counter()
        for path in sorted(folder.iterdir()):
            if path.suffix == ".json":
                page = json.loads(path.read_text(encoding="utf-8"))
                if page.get("errcode", 0) == 0 and page.get("code", 0) == 0:
                    records.update(_page_records(folder.name, page))
            elif path.suffix == ".jsonl":
                records.update(path.read_text(encoding="utf-8").splitlines())
            else:
                lines = _text(path).splitlines()[1:]
                records.update(lines[:-2] if folder.name == "wechatpay_bills" else lines)
        found[folder.name] = records
    return found


def _ground_truth(sample: Path, name: str) -> list[dict[str, str]]:
    with (sample / "ground_truth" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ------------------------------------------------------------------------------------------


def test_same_arguments_give_byte_identical_files(sample: Path, tmp_path: Path) -> None:
    generate(tmp_path, scale=SCALE, seed=SEED)
    assert _files(tmp_path) == _files(sample)


def test_another_seed_gives_other_people(sample: Path, tmp_path: Path) -> None:
    generate(tmp_path, scale=SCALE, seed=SEED + 1)
    tokens = ("unionid", "oa_openid", "mp_openid", "wecom_external_userid", "device_id")
    ours, theirs = (
        {r["id_value"] for r in _ground_truth(root, "identities.csv") if r["id_type"] in tokens}
        for root in (sample, tmp_path)
    )
    assert ours and not ours & theirs


def test_every_source_folder_has_files(sample: Path) -> None:
    landing = sample / "landing"
    assert sorted(p.name for p in landing.iterdir()) == sorted(SOURCES)
    for source in SOURCES:
        assert any((landing / source).iterdir()), source


def test_manifest_counts_the_records_written(sample: Path) -> None:
    manifest = json.loads((sample / "ground_truth" / "manifest.json").read_text("utf-8"))
    records = landing_records(sample / "landing")
    for source in SOURCES:
        assert manifest["rows_per_source"][source] == sum(records[source].values()), source
    assert manifest["people"] == round(100_000 * SCALE)
    assert set(manifest["files"]) == {
        str(p.relative_to(sample / "landing")) for p in (sample / "landing").rglob("*.*")
    }


def test_tmall_report_is_gbk_with_spreadsheet_quirks(sample: Path) -> None:
    files = sorted((sample / "landing" / "tmall_orders").glob("*.csv"))
    statuses, tabs = set(), 0
    for path in files:
        raw = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        header, rows = _csv_rows(path)
        assert header[:3] == ["订单编号", "买家会员名", "买家支付宝账号"]
        assert header.index("退款金额") < len(header) - 1, "an undocumented trailing column"
        for row in rows:
            assert row[0].startswith('="') or "E+" in row[0]
            assert re.fullmatch(r"\d{3}\*{4}\d{4}\t?", row[header.index("联系手机")])
            paid_at = row[header.index("订单付款时间")]
            status = row[header.index("订单状态")]
            unpaid = status == "等待买家付款" or row[header.index("订单关闭原因")] == "买家未付款"
            assert (paid_at == "") == unpaid
            statuses.add(status)
            tabs += sum(value.endswith("\t") for value in row)
    assert tabs > 0
    assert {"交易成功", "交易关闭", "卖家已发货，等待买家确认"} <= statuses


def test_mp_users_csv_starts_with_a_bom(sample: Path) -> None:
    for path in (sample / "landing" / "mp_users").glob("*.csv"):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbfopenid,unionid,phone,register_time,scene,scene_query")


def test_wechatpay_bill_is_backticked_and_totals_match(sample: Path) -> None:
    for path in (sample / "landing" / "wechatpay_bills").glob("*.csv"):
        lines = path.read_text("utf-8").splitlines()
        header, details = lines[0].split(","), lines[1:-2]
        assert header[0] == "交易时间" and len(header) == 27
        assert lines[-2].startswith("总交易单数,应结订单总金额,退款总金额")
        rows = [line.split(",") for line in details]
        assert all(value.startswith("`") for row in rows for value in row)
        rows = [[value[1:] for value in row] for row in rows]
        totals = [value[1:] for value in lines[-1].split(",")]
        assert lines[-1].startswith("`")
        assert int(totals[0]) == len(rows)

        for position, name in (
            (1, "应结订单金额"),
            (2, "退款金额"),
            (3, "充值券退款金额"),
            (4, "手续费"),
            (5, "订单金额"),
            (6, "申请退款金额"),
        ):
            summed = sum((Decimal(r[header.index(name)]) for r in rows), Decimal("0"))
            assert Decimal(totals[position]) == summed, (path.name, name)
        assert {r[header.index("交易状态")] for r in rows} <= {"SUCCESS", "REFUND"}


def test_ad_costs_are_fen_integers_and_yuan_decimals(sample: Path) -> None:
    pages = [
        json.loads(p.read_text("utf-8"))
        for p in (sample / "landing" / "ads_tencent").glob("*.json")
    ]
    assert any(page["data"]["page_info"]["total_page"] > 1 for page in pages)
    for page in pages:
        for row in page["data"]["list"]:
            assert type(row["cost"]) is int and row["cost"] >= 0
    for path in (sample / "landing" / "ads_oceanengine").glob("*.csv"):
        header, rows = _csv_rows(path)
        for row in rows:
            assert re.fullmatch(r"\d+\.\d{2}", row[header.index("cost")])
            assert row[0].endswith(" 00:00:00")


def test_identifiers_belong_to_one_person_unless_junk(sample: Path) -> None:
    identities = _ground_truth(sample, "identities.csv")
    junk = {(r["id_type"], r["id_value"]) for r in _ground_truth(sample, "junk_identifiers.csv")}
    keys = Counter((r["id_type"], r["id_value"]) for r in identities)
    assert max(keys.values()) == 1
    assert not junk & set(keys)
    formats = {
        "unionid": r"oUn[\w-]{25}",
        "oa_openid": r"oOA[\w-]{25}",
        "mp_openid": r"oMP[\w-]{25}",
        "wecom_external_userid": r"w[mo]\w{30}",
        "phone": r"1[3-9]\d{9}",
    }
    for row in identities:
        if row["id_type"] in formats:
            assert re.fullmatch(formats[row["id_type"]], row["id_value"]), row
    assert {"13800138000", "null", "undefined"} <= {value for _, value in junk}
    reasons = [r["reason"] for r in _ground_truth(sample, "junk_identifiers.csv")]
    assert any(reason.startswith("guide ") for reason in reasons)


def test_ground_truth_identifiers_appear_in_the_exports(sample: Path) -> None:
    text = "\n".join(_text(p) for p in (sample / "landing").rglob("*.*"))
    checked = {
        "unionid",
        "oa_openid",
        "mp_openid",
        "wecom_external_userid",
        "member_id",
        "tmall_buyer",
        "app_user_id",
        "device_id",
    }
    for row in _ground_truth(sample, "identities.csv"):
        if row["id_type"] in checked:
            assert row["id_value"] in text, row


def test_people_bridge_channels(sample: Path) -> None:
    identities = _ground_truth(sample, "identities.csv")
    types_of: dict[str, set[str]] = {}
    for row in identities:
        types_of.setdefault(row["person_id"], set()).add(row["id_type"])
    assert any({"oa_openid", "mp_openid", "unionid"} <= t for t in types_of.values())
    assert any({"member_id", "mp_openid", "phone"} <= t for t in types_of.values())
    assert any(t == {"tmall_buyer"} for t in types_of.values())
    assert any(t == {"douyin_buyer"} for t in types_of.values())
    bridges = _ground_truth(sample, "identity_bridges.csv")
    assert {"app_events", "mp_users"} <= {b["source"] for b in bridges}


def test_used_coupons_point_at_their_bill_transaction(sample: Path) -> None:
    bill_rows = {}
    for path in (sample / "landing" / "wechatpay_bills").glob("*.csv"):
        lines = path.read_text("utf-8").splitlines()
        header = lines[0].split(",")
        for line in lines[1:-2]:
            row = [value[1:] for value in line.split(",")]
            if row[header.index("交易状态")] == "SUCCESS":
                bill_rows[row[header.index("微信订单号")]] = dict(zip(header, row, strict=True))
    used = [
        json.loads(line)
        for p in (sample / "landing" / "coupons").glob("*.jsonl")
        for line in p.read_text("utf-8").splitlines()
        if '"USED"' in line
    ]
    assert used
    for coupon in used:
        paid = bill_rows[coupon["consume_information"]["transaction_id"]]
        assert paid["用户标识"] == coupon["openid"]
        assert (
            Decimal(paid["代金券金额"]) * 100
            == coupon["normal_coupon_information"]["coupon_amount"]
        )


def _fault_is_there(sample: Path, fault: dict[str, str]) -> bool:
    path = sample / "landing" / fault["file"]
    if not fault["row_number"]:
        return json.loads(path.read_text("utf-8"))["errcode"] != 0
    row_number = int(fault["row_number"])
    if path.suffix == ".jsonl":
        line = path.read_text("utf-8").splitlines()[row_number - 1]
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            return "truncated" in fault["fault"]
        return fault["field"] not in record
    header, rows = _csv_rows(path)
    row = rows[row_number - 1]
    if len(row) < len(header):
        return "too few columns" in fault["fault"]
    value = row[header.index(fault["field"])]
    return value in ("", "--") or "E+" in value or value.startswith("0000-00-00")


def test_planted_faults_are_where_the_ground_truth_says(sample: Path) -> None:
    faults = _ground_truth(sample, "faults.csv")
    assert 5 <= len(faults) <= 8
    assert len({f["source"] for f in faults}) == len(faults)
    for fault in faults:
        assert _fault_is_there(sample, fault), fault


def test_no_faults_plants_none(tmp_path: Path) -> None:
    generate(tmp_path, scale=SCALE, seed=SEED, faults=False)
    assert _ground_truth(tmp_path, "faults.csv") == []
    for path in (tmp_path / "landing").rglob("*.jsonl"):
        for line in path.read_text("utf-8").splitlines():
            assert "coupon_id" in json.loads(line) or path.parent.name != "coupons"


def _delta_day(sample: Path) -> date:
    """A day on which identities of one person get bridged and brand-new people appear."""
    bridged = Counter(b["bridged_on"] for b in _ground_truth(sample, "identity_bridges.csv"))
    first_seen: dict[str, str] = {}
    for row in _ground_truth(sample, "identities.csv"):
        person = row["person_id"]
        first_seen[person] = min(first_seen.get(person, "9999"), row["first_seen_on"])
    newcomers = Counter(first_seen.values())
    days = [d for d in bridged if d >= "2026-06-01" and newcomers[d] > 0]
    return date.fromisoformat(max(days, key=lambda d: (bridged[d], d)))


def test_base_plus_delta_equals_full_delivery(sample: Path, tmp_path: Path) -> None:
    day = _delta_day(sample)
    full, split = tmp_path / "full", tmp_path / "split"
    generate(full, scale=SCALE, seed=SEED, until=day)
    generate(split, scale=SCALE, seed=SEED, until=day - timedelta(days=1))
    before = landing_records(split / "landing")
    delta = generate(split, scale=SCALE, seed=SEED, only_day=day)
    assert all(day.isoformat() in path for path in delta.files)
    assert sum(delta.rows_per_source.values()) > 0
    after = landing_records(split / "landing")
    expected = landing_records(full / "landing")
    for source in SOURCES:
        assert after.get(source, Counter()) == expected.get(source, Counter()), source
    grown = {s for s in SOURCES if after.get(s, Counter()) != before.get(s, Counter())}
    assert {"app_events", "mp_users"} & grown
    assert (split / "ground_truth" / f"manifest_{day.isoformat()}.json").exists()


def test_until_keeps_only_records_up_to_that_day(sample: Path, tmp_path: Path) -> None:
    generate(tmp_path, scale=SCALE, seed=SEED, until=date(2026, 6, 30))
    for path in (tmp_path / "landing" / "app_events").glob("*.jsonl"):
        assert path.name <= "events_2026-06.jsonl"
    full = landing_records(sample / "landing")
    partial = landing_records(tmp_path / "landing")
    for source in SOURCES:
        assert not partial.get(source, Counter()) - full[source], source


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--scale", "0.001", "--seed", "1", "--out", str(tmp_path), "--no-faults"]) == 0
    assert "people" in capsys.readouterr().out
    assert (tmp_path / "ground_truth" / "manifest.json").exists()


def test_a_bom_file_has_one_bom_however_many_chunks_it_is_written_in(tmp_path, monkeypatch):
    from sample_data import writers

    monkeypatch.setattr(writers, "CHUNK_LINES", 7)
    generate(tmp_path, scale=0.002, seed=3, start=date(2026, 5, 1), end=date(2026, 11, 20))
    (users,) = (tmp_path / "landing" / "mp_users").glob("*.csv")
    content = users.read_bytes()
    assert content.startswith(codecs.BOM_UTF8)
    assert content.count(codecs.BOM_UTF8) == 1
