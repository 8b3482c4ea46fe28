"""Bad landing files (issue #26): each is refused or skipped alone, by name, with its reason and
the line or byte at fault; nothing of it is lost in silence, and the source's other files load."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest

import siyu.ingestion.loader as loader
from orchestration.ingestion.assets import build_ingestion_assets, unread_in_landing
from orchestration.run import RunSummary, format_summary
from orchestration.sensors import new_landing_files
from siyu.ingestion.landing import landing_files
from siyu.settings import SiyuSettings
from tests.ingestion.test_loader import MP_HEADER, ingest, quarantine, write
from tests.quality.test_checks import warehouse_resource

POS_HEADER = (
    "order_no,member_id,store_id,guide_id,order_time,amount,discount,coupon_id,status,items\n"
)
TMALL_HEADER = "订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,买家留言\n"
PAID = "交易成功"
PAID_AS_MOJIBAKE = "浜ゆ槗鎴愬姛"  # 交易成功 in UTF-8, read as GB18030


def pos_order(number: int, items: str = "面霜") -> str:
    return f"P{number},M{number},S1,G1,2026-11-01 10:00:00,19.90,0,,paid,{items}\n"


def tencent_page(*campaigns: str) -> str:
    rows = [{"date": "2026-11-01", "campaign_id": c, "cost": "1200"} for c in campaigns]
    return json.dumps({"code": 0, "message": "", "data": {"list": rows, "page_info": {}}})


def coupon(number: int, name: str = "满100减20") -> str:
    record = {
        "coupon_id": f"c{number}",
        "openid": f"o{number}",
        "status": "SENDED",
        "create_time": "2026-11-01T10:00:00+08:00",
        "coupon_name": name,
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def outcomes(report) -> list[tuple[str, str]]:
    return [(outcome.file_name, outcome.status) for outcome in report.files]


def loaded_files(con) -> list[tuple]:
    return con.execute(
        "select file_name, rows_read, rows_loaded, rows_quarantined from raw.loaded_files "
        "order by file_name"
    ).fetchall()


# --------------------------------------------------------------------------------------------
# 1. a file that cannot be decoded is refused alone, by name, with the byte at fault


def test_a_binary_file_named_csv_in_pos_orders_is_refused_alone_with_its_byte(con, tmp_path):
    write(tmp_path / "pos_orders" / "a.csv", POS_HEADER + pos_order(1))
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    write(tmp_path / "pos_orders" / "b_photo.csv", png)
    write(tmp_path / "pos_orders" / "c.csv", POS_HEADER + pos_order(2) + pos_order(3))

    report = ingest(con, "pos_orders", tmp_path)

    assert outcomes(report) == [
        ("pos_orders/a.csv", "loaded"),
        ("pos_orders/b_photo.csv", "refused"),
        ("pos_orders/c.csv", "loaded"),
    ]
    assert report.files[1].detail.startswith("cannot be decoded: a NUL byte at offset 8 (line 3)")
    assert loaded_files(con) == [("pos_orders/a.csv", 1, 1, 0), ("pos_orders/c.csv", 2, 2, 0)]
    assert quarantine(con) == []


def test_a_utf16_csv_with_a_bom_is_transcoded_and_loads(con, tmp_path):
    write(tmp_path / "pos_orders" / "a.csv", POS_HEADER + pos_order(1))
    write(tmp_path / "pos_orders" / "b_utf16.csv", (POS_HEADER + pos_order(2)).encode("utf-16"))

    report = ingest(con, "pos_orders", tmp_path)

    assert [outcome.status for outcome in report.files] == ["loaded", "loaded"]
    assert report.files[1].encoding == "utf-16-le"
    assert con.execute("select order_no, items from raw.pos_orders order by 1").fetchall() == [
        ("P1", "面霜"),
        ("P2", "面霜"),
    ]


def test_a_utf16_csv_without_a_bom_is_refused_alone_naming_its_first_nul_byte(con, tmp_path):
    write(tmp_path / "pos_orders" / "a.csv", POS_HEADER + pos_order(1))
    write(tmp_path / "pos_orders" / "b.csv", (POS_HEADER + pos_order(2)).encode("utf-16-le"))

    report = ingest(con, "pos_orders", tmp_path)

    assert outcomes(report) == [("pos_orders/a.csv", "loaded"), ("pos_orders/b.csv", "refused")]
    assert report.files[1].detail.startswith(
        "cannot be decoded: a NUL byte at offset 1 (line 1): binary data, or UTF-16 text "
        "without a byte-order mark"
    )
    assert con.execute("select order_no from raw.pos_orders").fetchall() == [("P1",)]


def test_a_gbk_file_with_a_row_neither_gb18030_nor_utf8_is_refused_alone_with_its_byte(
    con, tmp_path
):
    write(
        tmp_path / "tmall_orders" / "a.csv",
        TMALL_HEADER + f"2881,tb_甲,19.90,{PAID},2026-11-01 10:00:00,\n",
    )
    good_rows = (TMALL_HEADER + f"2882,tb_乙,29.90,{PAID},2026-11-01 11:00:00,\n").encode("gbk")
    bad_row = b"2883,tb_\xff\xfe,39.90,x,2026-11-01 12:00:00,\n"
    write(tmp_path / "tmall_orders" / "b_gbk.csv", good_rows + bad_row)

    report = ingest(con, "tmall_orders", tmp_path)

    assert outcomes(report) == [
        ("tmall_orders/a.csv", "loaded"),
        ("tmall_orders/b_gbk.csv", "refused"),
    ]
    assert report.files[1].detail == (
        f"cannot be decoded: byte 0xFF at offset {len(good_rows) + 8} (line 3) is neither "
        "UTF-8 nor GB18030 text"
    )
    assert con.execute("select order_id from raw.tmall_orders").fetchall() == [("2881",)]


# --------------------------------------------------------------------------------------------
# 2. encoding per file; rows in the file's other encoding are quarantined, not mojibake


def test_utf8_rows_inside_a_gbk_file_are_quarantined_not_loaded_as_mojibake(con, tmp_path):
    gbk = (
        TMALL_HEADER
        + f'2881,tb_甲,19.90,{PAID},2026-11-01 10:00:00,"请周末\n送货"\n'  # a record on 2 lines
        + f"2882,tb_乙,29.90,{PAID},2026-11-01 11:00:00,\n"
    ).encode("gbk")
    utf8_row = f"2883,tb_丙,39.90,{PAID},2026-11-01 12:00:00,\n".encode()
    last = f"2884,tb_丁,49.90,{PAID},2026-11-01 13:00:00,\n".encode("gbk")
    write(tmp_path / "tmall_orders" / "orders.csv", gbk + utf8_row + last)

    report = ingest(con, "tmall_orders", tmp_path)

    (outcome,) = report.files
    assert (outcome.status, outcome.encoding) == ("loaded", "gb18030")
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (4, 3, 1)
    assert con.execute(
        "select _row_number, order_id, order_status, buyer_message from raw.tmall_orders order by 1"
    ).fetchall() == [
        (1, "2881", PAID, "请周末\n送货"),
        (2, "2882", PAID, None),
        (4, "2884", PAID, None),
    ]
    (row,) = con.execute("select row_number, reason, raw_record from raw.quarantine").fetchall()
    assert row[0] == 3
    assert row[1].startswith("row is UTF-8 inside a GB18030 file: mixed encodings")
    assert row[2] == f"2883,tb_丙,39.90,{PAID},2026-11-01 12:00:00,"
    stored = con.execute("select string_agg(raw_record, '') from raw.quarantine").fetchone()[0]
    assert PAID_AS_MOJIBAKE not in stored
    assert loaded_files(con) == [("tmall_orders/orders.csv", 4, 3, 1)]


def test_a_gbk_row_inside_a_utf8_file_is_quarantined_as_mixed_encodings(con, tmp_path):
    utf8 = (POS_HEADER + pos_order(1) + pos_order(2)).encode()
    gbk_row = pos_order(3, items="爽肤水").encode("gbk")
    write(tmp_path / "pos_orders" / "orders.csv", utf8 + gbk_row + pos_order(4).encode())

    report = ingest(con, "pos_orders", tmp_path)

    assert (report.files[0].encoding, report.rows_loaded, report.rows_quarantined) == (
        "utf-8",
        3,
        1,
    )
    assert quarantine(con) == [
        (
            "pos_orders",
            "pos_orders/orders.csv",
            3,
            None,
            "row is GB18030 inside a UTF-8 file: mixed encodings (3 line(s) in UTF-8, 1 in "
            "GB18030); it would load as mojibake",
        )
    ]
    assert con.execute("select raw_record from raw.quarantine").fetchone()[0].endswith(",爽肤水")


def test_a_gbk_line_in_a_utf8_jsonl_file_is_quarantined_with_its_line_number(con, tmp_path):
    lines = [coupon(1).encode(), coupon(2, "新人礼").encode("gbk"), coupon(3).encode()]
    write(tmp_path / "coupons" / "coupons.jsonl", b"".join(lines))

    report = ingest(con, "coupons", tmp_path)

    assert (report.rows_loaded, report.rows_quarantined) == (2, 1)
    (row,) = con.execute("select row_number, reason, raw_record from raw.quarantine").fetchall()
    assert row[0] == 2 and row[1].startswith("row is GB18030 inside a UTF-8 file")
    assert json.loads(row[2])["coupon_name"] == "新人礼"


def test_a_json_pages_file_in_two_encodings_is_refused_whole(con, tmp_path):
    page = json.loads(tencent_page("c1"))
    page["message"] = "成功"
    first = json.dumps(page, ensure_ascii=False).encode()
    page["message"] = "失败重试"
    second = json.dumps(page, ensure_ascii=False).encode("gbk")
    write(tmp_path / "ads_tencent" / "pages.json", first + b"\n" + second + b"\n")
    write(tmp_path / "ads_tencent" / "z.json", tencent_page("c2"))

    report = ingest(con, "ads_tencent", tmp_path)

    assert outcomes(report) == [
        ("ads_tencent/pages.json", "refused"),
        ("ads_tencent/z.json", "loaded"),
    ]
    assert report.files[0].detail == (
        "cannot be decoded: mixed encodings: line 1 is UTF-8, line 2 is GB18030; one JSON "
        "document must be in one encoding"
    )


# --------------------------------------------------------------------------------------------
# 3. records in = loaded + quarantined; a file that yields no record is never recorded as loaded


def test_a_bare_json_array_in_ads_tencent_is_refused_and_loads_once_corrected(con, tmp_path):
    bare = tmp_path / "ads_tencent" / "report.json"
    records = json.loads(tencent_page("c1", "c2", "c3"))["data"]["list"]
    write(bare, json.dumps(records))
    write(tmp_path / "ads_tencent" / "z.json", tencent_page("c9"))

    report = ingest(con, "ads_tencent", tmp_path)

    assert outcomes(report) == [
        ("ads_tencent/report.json", "refused"),
        ("ads_tencent/z.json", "loaded"),
    ]
    assert report.files[0].detail == (
        "a bare JSON array of 3 item(s), not ads_tencent pages (a JSON object holding its "
        "records under 'data.list')"
    )
    assert loaded_files(con) == [("ads_tencent/z.json", 1, 1, 0)]
    # its hash is not recorded: the corrected file, delivered under the same name, loads
    write(bare, tencent_page("c1", "c2", "c3"))
    again = ingest(con, "ads_tencent", tmp_path)
    assert outcomes(again) == [
        ("ads_tencent/report.json", "loaded"),
        ("ads_tencent/z.json", "skipped"),
    ]
    assert con.execute("select count(*) from raw.ads_tencent").fetchone() == (4,)


def test_a_page_without_its_record_list_is_refused(con, tmp_path):
    pages = [tencent_page("c1"), json.dumps({"code": 0, "data": {"page_info": {"page": 2}}})]
    write(tmp_path / "ads_tencent" / "pages.json", "\n".join(pages))

    report = ingest(con, "ads_tencent", tmp_path)

    assert outcomes(report) == [("ads_tencent/pages.json", "refused")]
    assert report.files[0].detail.startswith("page 2 of 2 has no 'data.list' list: not a page of")
    assert con.execute("select count(*) from raw.ads_tencent").fetchone() == (0,)
    assert loaded_files(con) == [] and quarantine(con) == []


def test_a_bare_array_file_in_a_jsonl_source_is_refused_not_counted_as_one_record(con, tmp_path):
    three = [json.loads(coupon(number)) for number in (1, 2, 3)]
    write(tmp_path / "coupons" / "one_line.jsonl", json.dumps(three))
    write(tmp_path / "coupons" / "pretty.jsonl", json.dumps(three, indent=2))
    write(tmp_path / "coupons" / "z.jsonl", coupon(4))

    report = ingest(con, "coupons", tmp_path)

    assert outcomes(report) == [
        ("coupons/one_line.jsonl", "refused"),
        ("coupons/pretty.jsonl", "refused"),
        ("coupons/z.jsonl", "loaded"),
    ]
    for refused in report.files[:2]:
        assert refused.detail.startswith("line 1 opens a JSON array")
    assert quarantine(con) == []
    assert loaded_files(con) == [("coupons/z.jsonl", 1, 1, 0)]


def test_a_header_only_csv_is_skipped_with_a_note_not_recorded_as_loaded(con, tmp_path):
    write(tmp_path / "pos_orders" / "a_no_orders_today.csv", POS_HEADER)
    write(tmp_path / "pos_orders" / "b.csv", POS_HEADER + pos_order(1))

    report = ingest(con, "pos_orders", tmp_path)

    assert outcomes(report) == [
        ("pos_orders/a_no_orders_today.csv", "skipped"),
        ("pos_orders/b.csv", "loaded"),
    ]
    assert report.files[0].detail.startswith("no record: the file holds the header alone")
    assert loaded_files(con) == [("pos_orders/b.csv", 1, 1, 0)]


# --------------------------------------------------------------------------------------------
# 4. a zero-byte file is skipped with a note


def test_a_zero_byte_file_is_skipped_with_a_note_and_not_recorded(con, tmp_path):
    for source, good in (("pos_orders", POS_HEADER + pos_order(1)), ("ads_tencent", "")):
        write(tmp_path / source / "empty.csv", b"")
        if good:
            write(tmp_path / source / "good.csv", good)
        report = ingest(con, source, tmp_path)
        assert report.files[0].status == "skipped"
        assert report.files[0].detail.startswith("empty file (0 bytes): nothing to load")
    assert loaded_files(con) == [("pos_orders/good.csv", 1, 1, 0)]


def materialize(sources: list[str], landing: Path, root: Path, instance: dg.DagsterInstance):
    return dg.materialize(
        build_ingestion_assets(),
        selection=dg.AssetSelection.assets(*(dg.AssetKey(["raw", s]) for s in sources)),
        resources={"warehouse": warehouse_resource(landing, root)},
        instance=instance,
        raise_on_error=False,
    )


def log_lines(instance: dg.DagsterInstance, result) -> str:
    return "\n".join(entry.user_message for entry in instance.all_logs(result.run_id))


def test_a_zero_byte_file_does_not_fail_the_step_and_is_noted_in_its_log(tmp_path):
    landing = tmp_path / "landing"
    write(landing / "pos_orders" / "empty.csv", b"")
    write(landing / "pos_orders" / "orders.csv", POS_HEADER + pos_order(1))
    instance = dg.DagsterInstance.ephemeral()

    result = materialize(["pos_orders"], landing, tmp_path, instance)

    assert result.success
    (event,) = result.get_asset_materialization_events()
    assert event.materialization.metadata["files_skipped"].value == 1
    assert "pos_orders/empty.csv: skipped" in log_lines(instance, result)
    assert "empty file (0 bytes)" in log_lines(instance, result)


# --------------------------------------------------------------------------------------------
# 5. a landing folder under a dot-directory, with spaces and Chinese in its path


@pytest.mark.parametrize(
    "folder",
    [
        "srv/.data/landing",
        "home/ana/.local/share/siyu/landing",
        "数据 目录/.隐藏 文件夹/landing",
    ],
)
def test_a_landing_folder_under_a_dot_directory_loads(con, tmp_path, folder):
    landing = tmp_path / folder
    write(landing / "pos_orders" / "2026-11 订单.csv", POS_HEADER + pos_order(1))
    write(landing / "pos_orders" / "by_day" / "d1.csv", POS_HEADER + pos_order(2))
    # inside the landing folder, dot-names are still ignored
    write(landing / "pos_orders" / ".~lock.d2.csv#", "partial")
    write(landing / "pos_orders" / ".partial" / "d3.csv", POS_HEADER + pos_order(3))

    report = ingest(con, "pos_orders", landing)

    assert outcomes(report) == [
        ("pos_orders/2026-11 订单.csv", "loaded"),
        ("pos_orders/by_day/d1.csv", "loaded"),
    ]
    assert con.execute("select count(*) from raw.pos_orders").fetchone() == (2,)


def test_the_landing_sensor_sees_new_files_under_a_dot_directory(tmp_path):
    landing = tmp_path / ".local" / "share" / "siyu" / "landing"
    write(landing / "mp_users" / "users.csv", MP_HEADER + "oMP1,oUn1,,2026-11-01 10:00:00,1,\n")

    assert new_landing_files(warehouse_resource(landing, tmp_path)) == ["mp_users/users.csv"]


# --------------------------------------------------------------------------------------------
# 6. links and special files are refused by name, never read


def test_a_symlink_in_a_jsonl_source_is_refused_and_never_read(con, tmp_path):
    secret = write(tmp_path / "elsewhere" / "passwd", "root:x:0:0:root:/root:/bin/bash\n")
    landing = tmp_path / "landing"
    write(landing / "coupons" / "a.jsonl", coupon(1))
    (landing / "coupons" / "b.jsonl").symlink_to(secret)
    (landing / "coupons" / "c_dangling.jsonl").symlink_to(tmp_path / "nowhere")

    report = ingest(con, "coupons", landing)

    assert outcomes(report) == [
        ("coupons/a.jsonl", "loaded"),
        ("coupons/b.jsonl", "refused"),
        ("coupons/c_dangling.jsonl", "refused"),
    ]
    assert report.files[1].detail == (
        f"a symbolic link (to {secret}): siyu never follows links in the landing folder; put "
        "the file itself there"
    )
    assert quarantine(con) == []
    assert con.execute("select count(*) from raw.coupons").fetchone() == (1,)


def test_a_fifo_in_a_source_folder_is_refused_without_being_opened(con, tmp_path):
    write(tmp_path / "pos_orders" / "a.csv", POS_HEADER + pos_order(1))
    os.mkfifo(tmp_path / "pos_orders" / "b.csv")  # opening it to read would wait forever

    report = ingest(con, "pos_orders", tmp_path)

    assert outcomes(report) == [("pos_orders/a.csv", "loaded"), ("pos_orders/b.csv", "refused")]
    assert report.files[1].detail.startswith("a FIFO (named pipe), not a regular file")


def test_a_symlinked_source_folder_is_refused_not_followed(con, tmp_path):
    outside = tmp_path / "outside" / "orders"
    write(outside / "a.csv", POS_HEADER + pos_order(1))
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "pos_orders").symlink_to(outside, target_is_directory=True)

    assert landing_files(landing, "pos_orders") == [landing / "pos_orders"]
    report = ingest(con, "pos_orders", landing)

    assert outcomes(report) == [("pos_orders", "refused")]
    assert report.files[0].detail.startswith(f"a symbolic link (to {outside})")
    assert con.execute("select count(*) from raw.pos_orders").fetchone() == (0,)


# --------------------------------------------------------------------------------------------
# 7. unknown folders and stray files are listed; 8. a refusal names file, reason and line


@pytest.fixture
def landing_with_leftovers(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    write(landing / "mp_users" / "users.csv", MP_HEADER + "oMP1,oUn1,,2026-11-01 10:00:00,1,\n")
    write(landing / "ads_tencent" / "page.json", tencent_page("c1"))
    write(landing / "xiaohongshu_orders" / "d1.csv", "a,b\n1,2\n")
    write(landing / "xiaohongshu_orders" / "d2.csv", "a,b\n1,2\n")
    write(landing / "orders_march.csv", "a,b\n1,2\n")
    write(landing / "deletion_requests" / "r1.csv", "id_type,id_value\n")  # a known folder
    write(landing / ".cache" / "x", "ignored")
    return landing


def test_unknown_folders_and_stray_files_are_listed_in_the_step_metadata_and_log(
    landing_with_leftovers, tmp_path
):
    instance = dg.DagsterInstance.ephemeral()

    result = materialize(["mp_users", "ads_tencent"], landing_with_leftovers, tmp_path, instance)

    assert result.success
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        assert metadata["unknown_folders"].value == {"xiaohongshu_orders": 2}
        assert metadata["stray_files"].value == ["orders_march.csv"]
    log = log_lines(instance, result)
    assert "not read, no source of that name: xiaohongshu_orders/ (2 file(s))" in log
    assert "not read, not in a source folder: orders_march.csv" in log


def test_the_run_summary_lists_unknown_folders_and_stray_files(landing_with_leftovers):
    settings = SiyuSettings.from_env({"SIYU_LANDING_DIR": str(landing_with_leftovers)})
    summary = RunSummary(
        success=True, seconds=1.0, landing_unread=unread_in_landing(landing_with_leftovers).lines()
    )

    text = format_summary(summary, settings)

    assert "landing folder: not read, no source of that name: xiaohongshu_orders/" in text
    assert "landing folder: not read, not in a source folder: orders_march.csv" in text


def test_a_refused_file_fails_the_step_naming_file_reason_and_line(
    landing_with_leftovers, tmp_path
):
    write(landing_with_leftovers / "ads_tencent" / "cut.json", '{"code": 0,\n "data": {"list": [')
    instance = dg.DagsterInstance.ephemeral()

    result = materialize(["mp_users", "ads_tencent"], landing_with_leftovers, tmp_path, instance)

    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    description = failure.step_failure_data.user_failure_data.description
    assert "ads_tencent/cut.json: unreadable: malformed JSON at line 2, column 20" in description
    # the refused file's source is not materialized (nothing of it is published); its good
    # file and the other sources load
    assert [e.asset_key.path[-1] for e in result.get_asset_materialization_events()] == ["mp_users"]
    with duckdb.connect(str(tmp_path / "work.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.ads_tencent").fetchone() == (1,)


def test_an_unreadable_file_is_set_apart_and_the_others_read_in_one_batch(
    con, tmp_path, monkeypatch
):
    """Isolating a bad file must not fall back to reading every file alone (the batch read is
    what keeps ingestion near DuckDB's own speed)."""
    for number in range(1, 6):
        write(tmp_path / "pos_orders" / f"d{number}.csv", POS_HEADER + pos_order(number))
    write(tmp_path / "pos_orders" / "d3_bad.csv", POS_HEADER + pos_order(9).replace("\n", "\r\n"))
    batches: list[int] = []
    load_batch = loader._load_batch

    def counting_batches(con, spec, deliveries, loaded_at):
        batches.append(len(deliveries))
        return load_batch(con, spec, deliveries, loaded_at)

    monkeypatch.setattr(loader, "_load_batch", counting_batches)
    report = ingest(con, "pos_orders", tmp_path)

    assert [o.file_name for o in report.refused] == ["pos_orders/d3_bad.csv"]
    assert report.refused[0].detail.startswith("unreadable: mixed line breaks: line 2 ends with")
    assert report.rows_loaded == 5
    assert batches == [6, 5]
