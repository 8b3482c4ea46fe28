"""Ingestion: quirks survive verbatim into raw, bad rows are quarantined, nothing double-counts."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from siyu.ingestion.landing import landing_files
from siyu.ingestion.loader import ingest_files
from siyu.ingestion.specs import load_source_specs
from tests.landing import write_file as write

SPECS = load_source_specs()
LOADED_AT = datetime(2026, 11, 25, 6, 0, 0)
MP_HEADER = "openid,unionid,phone,register_time,scene,scene_query\n"


def ingest(con, source: str, landing: Path):
    return ingest_files(
        con, SPECS[source], landing_files(landing, source), LOADED_AT, base_dir=landing
    )


def quarantine(con) -> list[tuple]:
    return con.execute(
        "select source, file_name, row_number, field, reason from raw.quarantine "
        "order by file_name, row_number"
    ).fetchall()


def test_malformed_row_is_quarantined_and_neighbours_load(con, tmp_path):
    write(
        tmp_path / "mp_users" / "users.csv",
        MP_HEADER
        + "oMP1,oUn1,13812345678,2026-11-01 10:00:00,1047,\n"
        + "oMP2,oUn2\n"  # too few columns
        + ",oUn3,,2026-11-01 11:00:00,1007,\n"  # required openid empty
        + "oMP4,,,2026-11-01 12:00:00,1047,utm_campaign=c9\n",
    )
    report = ingest(con, "mp_users", tmp_path)

    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (4, 2, 2)
    loaded = con.execute("select openid, _row_number from raw.mp_users order by 2").fetchall()
    assert loaded == [("oMP1", 1), ("oMP4", 4)]
    reasons = quarantine(con)
    assert [(row[1], row[2], row[3]) for row in reasons] == [
        ("mp_users/users.csv", 2, "c2"),
        ("mp_users/users.csv", 3, "openid"),
    ]
    assert "MISSING COLUMNS" in reasons[0][4]
    assert reasons[1][4] == "required field openid is empty"


def test_file_missing_required_column_is_refused_whole(con, tmp_path):
    write(tmp_path / "mp_users" / "good.csv", MP_HEADER + "oMP1,oUn1,,2026-11-01 10:00:00,1,\n")
    ingest(con, "mp_users", tmp_path)
    before = con.execute("select count(*) from raw.mp_users").fetchone()[0]

    write(tmp_path / "mp_users" / "z_bad.csv", "openid,phone,scene\noMP9,,1047\n")
    report = ingest(con, "mp_users", tmp_path)

    assert [outcome.status for outcome in report.files] == ["skipped", "refused"]
    refused = report.refused[0]
    assert refused.file_name == "mp_users/z_bad.csv"
    assert "unionid" in refused.detail and "register_time" in refused.detail
    assert con.execute("select count(*) from raw.mp_users").fetchone()[0] == before
    files = con.execute("select file_name from raw.loaded_files").fetchall()
    assert files == [("mp_users/good.csv",)]


def test_same_file_under_two_names_loads_once(con, tmp_path):
    content = MP_HEADER + "oMP1,oUn1,,2026-11-01 10:00:00,1047,\n"
    write(tmp_path / "mp_users" / "export.csv", content)
    write(tmp_path / "mp_users" / "export (1).csv", content)
    first = ingest(con, "mp_users", tmp_path)
    second = ingest(con, "mp_users", tmp_path)

    assert [o.status for o in first.files] == ["loaded", "skipped"]
    assert [o.status for o in second.files] == ["skipped", "skipped"]
    assert con.execute("select count(*) from raw.mp_users").fetchone()[0] == 1


def test_gbk_file_with_chinese_headers_loads_verbatim(con, tmp_path):
    header = (
        "订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间,"
        "联系手机,宝贝标题,以后新增的列\n"
    )
    row = '="2881234567890",tb_小红\t,199.00,交易成功,2026-11-01 10:00:00,,138****5678,面霜,x\n'
    write(tmp_path / "tmall_orders" / "订单报表.csv", (header + row).encode("gbk"))
    report = ingest(con, "tmall_orders", tmp_path)

    assert report.files[0].encoding == "gb18030"
    assert con.execute(
        "select order_id, buyer_nick, item_title, paid_time, contact_mobile from raw.tmall_orders"
    ).fetchall() == [('="2881234567890"', "tb_小红\t", "面霜", None, "138****5678")]


def test_wechatpay_bill_summary_is_not_a_transaction(con, tmp_path):
    columns = SPECS["wechatpay_bills"].columns
    header = ",".join(columns.values())
    values = {name: "" for name in columns}
    values |= {
        "trade_time": "2026-11-01 10:00:00",
        "transaction_id": "4200001",
        "trade_state": "SUCCESS",
        "payer_openid": "oMP1",
        "settlement_total": "19.99",
        "refund_amount": "0.00",
    }
    detail = ",".join("`" + values[name] for name in columns)
    summary = "总交易单数,应结订单总金额,退款总金额\n`1,`19.99,`0.00\n"
    write(tmp_path / "wechatpay_bills" / "bill.csv", f"{header}\n{detail}\n{summary}")
    report = ingest(con, "wechatpay_bills", tmp_path)

    assert report.rows_loaded == 1 and report.rows_quarantined == 0
    assert con.execute(
        "select transaction_id, trade_state from raw.wechatpay_bills"
    ).fetchall() == [("`4200001", "`SUCCESS")]
    stored = con.execute("select file_summary from raw.loaded_files").fetchone()[0]
    assert json.loads(stored) == {
        "总交易单数": "1",
        "应结订单总金额": "19.99",
        "退款总金额": "0.00",
    }


def test_jsonl_bad_line_is_quarantined_with_its_line_number(con, tmp_path):
    lines = [
        {
            "type": "track",
            "event": "AppStart",
            "time": 1763950000123,
            "distinct_id": "d1",
            "properties": {"$utm_campaign": "cmp1"},
        },
        '{"type":"track","event":"ViewPro',
        {"type": "track", "event": "PayOrder", "time": 1763950009999, "distinct_id": "d2"},
        {"type": "track", "event": "", "time": 1763950009999, "distinct_id": "d3"},
    ]
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    write(tmp_path / "app_events" / "events.jsonl", text + "\n")
    report = ingest(con, "app_events", tmp_path)

    assert (report.rows_loaded, report.rows_quarantined) == (2, 2)
    assert con.execute(
        "select _row_number, event, properties from raw.app_events order by 1"
    ).fetchall() == [(1, "AppStart", '{"$utm_campaign":"cmp1"}'), (3, "PayOrder", None)]
    assert [(row[2], row[3], row[4]) for row in quarantine(con)] == [
        (2, None, "malformed JSON line"),
        (4, "event", "required field event is empty"),
    ]


def test_json_pages_flatten_nested_records_and_quarantine_error_pages(con, tmp_path):
    page = {
        "errcode": 0,
        "errmsg": "ok",
        "next_cursor": "c2",
        "external_contact_list": [
            {
                "external_contact": {"external_userid": "wmA", "name": "张三", "unionid": "oUnA"},
                "follow_info": {
                    "userid": "guide1",
                    "createtime": 1763950000,
                    "tag_id": ["et1", "et2"],
                    "remark_mobiles": ["138 1234 5678"],
                    "state": "store01_qr",
                },
            },
            {
                "external_contact": {"external_userid": "wmA"},
                "follow_info": {"userid": "guide2", "createtime": 1763960000},
            },
        ],
    }
    error_page = {"errcode": 40001, "errmsg": "invalid credential"}
    write(tmp_path / "wecom_contacts" / "pages.json", json.dumps([page, error_page]))
    report = ingest(con, "wecom_contacts", tmp_path)

    assert (report.rows_loaded, report.rows_quarantined) == (2, 1)
    assert con.execute(
        "select external_userid, guide_userid, tag_ids, remark_mobiles, state, _row_number "
        "from raw.wecom_contacts order by _row_number"
    ).fetchall() == [
        ("wmA", "guide1", '["et1","et2"]', '["138 1234 5678"]', "store01_qr", 1),
        ("wmA", "guide2", None, None, None, 2),
    ]
    assert "errcode=40001 invalid credential" in quarantine(con)[0][4]


def test_nested_tag_groups_carry_their_parent_fields(con, tmp_path):
    library = {
        "errcode": 0,
        "tag_group": [
            {
                "group_id": "g1",
                "group_name": "肤质",
                "create_time": 1,
                "order": 1,
                "tag": [
                    {"id": "t1", "name": "干皮", "create_time": 2, "order": 1},
                    {"id": "t2", "name": "油皮", "create_time": 3, "order": 2, "deleted": True},
                ],
            },
        ],
    }
    write(tmp_path / "wecom_tags" / "tags.json", json.dumps(library, ensure_ascii=False))
    ingest(con, "wecom_tags", tmp_path)
    assert con.execute(
        "select group_id, group_name, tag_id, tag_name, deleted from raw.wecom_tags order by tag_id"
    ).fetchall() == [("g1", "肤质", "t1", "干皮", None), ("g1", "肤质", "t2", "油皮", "true")]


def test_a_truncated_json_file_is_refused_with_the_line_where_it_stops(con, tmp_path):
    """How many records a JSON file cut short held cannot be known: it is refused, not counted
    as one quarantined record, and its hash is not recorded (a re-delivery loads)."""
    write(tmp_path / "ads_tencent" / "page.json", '{"code":0,\n"data":{"list":[{"date":')
    report = ingest(con, "ads_tencent", tmp_path)

    (outcome,) = report.files
    assert (outcome.status, outcome.rows_read) == ("refused", 0)
    assert outcome.detail == (
        "unreadable: malformed JSON at line 2, column 25: Expecting value (the file ends there: "
        "cut short?)"
    )
    assert quarantine(con) == []
    assert con.execute("select count(*) from raw.loaded_files").fetchone() == (0,)


def test_oa_error_response_is_quarantined_and_success_pages_need_no_errcode(con, tmp_path):
    write(
        tmp_path / "oa_followers" / "ok.json",
        json.dumps({"user_info_list": [{"subscribe": 1, "openid": "oOA1", "unionid": "oUn1"}]}),
    )
    write(
        tmp_path / "oa_followers" / "err.json",
        json.dumps({"errcode": 40013, "errmsg": "invalid appid"}),
    )
    report = ingest(con, "oa_followers", tmp_path)
    assert (report.rows_loaded, report.rows_quarantined) == (1, 1)
    assert "errcode=40013 invalid appid" in quarantine(con)[0][4]


def test_values_of_the_wrong_shape_are_quarantined_with_field_and_value(con, tmp_path):
    write(
        tmp_path / "mp_users" / "users.csv",
        MP_HEADER
        + "oMP1,oUn1,,2026-11-01 10:00:00,1047,\n"
        + "oMP2,oUn2,,0000-00-00 00:00:00,1047,\n"
        + "oMP3,oUn3,,2026-02-30 10:00:00,1047,\n"
        + "oMP4,oUn4,,20261101100000,1047,\n",
    )
    header = "订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间\n"
    rows = '="2881234567890"\t,tb_a,19.90,交易成功,2026-11-01 10:00:00\n'
    rows += "2.06582E+18,tb_b,19.90,交易成功,2026-11-01 10:00:00\n"
    write(tmp_path / "tmall_orders" / "orders.csv", (header + rows).encode("gbk"))
    write(
        tmp_path / "ads_oceanengine" / "report.csv",
        "stat_datetime,advertiser_id,campaign_id,campaign_name,cost,show,click,convert\n"
        "2026-11-01 00:00:00,1,11,a,12.50,1,1,0\n"
        "2026-11-01 00:00:00,1,12,b,-3.00,1,1,0\n",
    )
    for source in ("mp_users", "tmall_orders", "ads_oceanengine"):
        ingest(con, source, tmp_path)

    assert con.execute("select openid from raw.mp_users").fetchall() == [("oMP1",), ("oMP4",)]
    assert con.execute("select order_id from raw.tmall_orders").fetchall() == [
        ('="2881234567890"\t',)
    ]
    assert con.execute("select campaign_id from raw.ads_oceanengine").fetchall() == [("11",)]
    assert [(row[0], row[2], row[3], row[4]) for row in quarantine(con)] == [
        ("ads_oceanengine", 2, "cost", "field cost: -3.00 is not a non-negative amount"),
        (
            "mp_users",
            2,
            "register_time",
            "field register_time: 0000-00-00 00:00:00 is not a local date-time such as "
            "yyyy-MM-dd HH:mm:ss",
        ),
        (
            "mp_users",
            3,
            "register_time",
            "field register_time: 2026-02-30 10:00:00 is not a local date-time such as "
            "yyyy-MM-dd HH:mm:ss",
        ),
        ("tmall_orders", 2, "order_id", "field order_id: 2.06582E+18 is not a whole number"),
    ]


def test_source_specs_reject_unknown_formats(tmp_path):
    from siyu.ingestion.specs import load_source_specs as load

    spec_file = tmp_path / "sources.yml"
    spec_file.write_text(
        "x:\n  format: csv\n  columns: {a: a}\n  formats: {a: phone}\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="unknown value formats"):
        load(spec_file)


@pytest.mark.parametrize(
    ("mentions", "message"),
    [
        ("{id: [a]}", "mentions must read column"),
        ("{id: ['b?share_from']}", "unknown columns"),
    ],
)
def test_source_specs_reject_mentions_that_name_no_query_parameter_of_a_column(
    tmp_path, mentions, message
):
    from siyu.ingestion.specs import load_source_specs as load

    spec_file = tmp_path / "sources.yml"
    spec_file.write_text(
        f"x:\n  format: csv\n  columns: {{a: a}}\n  mentions: {mentions}\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=f"sources.yml: x: .*{message}"):
        load(spec_file)


def test_a_value_that_is_only_a_wrapper_counts_as_empty(con, tmp_path):
    columns = SPECS["wechatpay_bills"].columns
    header = ",".join(columns.values())
    values = dict.fromkeys(columns, "")
    values |= {
        "trade_time": "2026-11-01 10:00:00",
        "transaction_id": "4200001",
        "trade_state": "SUCCESS",
        "settlement_total": "1.00",
        "refund_amount": "0.00",
    }
    good = ",".join("`" + values[name] for name in columns)
    blank_time = ",".join("`" + (values[name] if name != "trade_time" else "") for name in columns)
    write(tmp_path / "wechatpay_bills" / "bill.csv", f"{header}\n{good}\n{blank_time}\n")
    report = ingest(con, "wechatpay_bills", tmp_path)
    assert (report.rows_loaded, report.rows_quarantined) == (1, 1)
    assert quarantine(con)[0][3:] == ("trade_time", "required field trade_time is empty")


# --------------------------------------------------------------------------------------------
# a batch: the new files of a source are loaded together, each keeping its own outcome


def test_a_refused_file_in_a_batch_does_not_block_the_good_ones(con, tmp_path):
    write(tmp_path / "mp_users" / "a.csv", MP_HEADER + "oMP1,oUn1,,2026-11-01 10:00:00,1,\n")
    write(tmp_path / "mp_users" / "b_bad.csv", "openid,phone\noMP9,\n")
    write(
        tmp_path / "mp_users" / "c.csv",
        MP_HEADER + "oMP2,oUn2,,2026-11-01 10:00:00,1,\noMP3,oUn3,,2026-11-01 11:00:00,1,\n",
    )
    report = ingest(con, "mp_users", tmp_path)

    assert [(o.file_name, o.status) for o in report.files] == [
        ("mp_users/a.csv", "loaded"),
        ("mp_users/b_bad.csv", "refused"),
        ("mp_users/c.csv", "loaded"),
    ]
    assert "unionid" in report.files[1].detail
    assert con.execute(
        "select _file_name, _row_number, openid from raw.mp_users order by 1, 2"
    ).fetchall() == [
        ("mp_users/a.csv", 1, "oMP1"),
        ("mp_users/c.csv", 1, "oMP2"),
        ("mp_users/c.csv", 2, "oMP3"),
    ]
    assert con.execute(
        "select file_name, rows_loaded from raw.loaded_files order by 1"
    ).fetchall() == [("mp_users/a.csv", 1), ("mp_users/c.csv", 2)]
    # the refused file is tried again on the next run, the others are not
    again = ingest(con, "mp_users", tmp_path)
    assert [o.status for o in again.files] == ["skipped", "refused", "skipped"]


def test_a_redelivery_under_a_new_name_in_the_same_batch_loads_once(con, tmp_path):
    content = MP_HEADER + "oMP1,oUn1,,2026-11-01 10:00:00,1,\n"
    write(tmp_path / "mp_users" / "day1.csv", content)
    write(tmp_path / "mp_users" / "day1_resent.csv", content)
    write(tmp_path / "mp_users" / "day2.csv", MP_HEADER + "oMP2,oUn2,,2026-11-02 10:00:00,1,\n")
    report = ingest(con, "mp_users", tmp_path)

    assert [(o.status, o.detail) for o in report.files] == [
        ("loaded", ""),
        ("skipped", "already loaded"),
        ("loaded", ""),
    ]
    assert con.execute("select openid, _file_name from raw.mp_users order by 1").fetchall() == [
        ("oMP1", "mp_users/day1.csv"),
        ("oMP2", "mp_users/day2.csv"),
    ]


def test_a_repeat_of_a_refused_file_in_the_same_batch_is_refused_too(con, tmp_path):
    write(tmp_path / "mp_users" / "bad.csv", "openid\noMP9\n")
    write(tmp_path / "mp_users" / "bad_again.csv", "openid\noMP9\n")
    report = ingest(con, "mp_users", tmp_path)
    assert [o.status for o in report.files] == ["refused", "refused"]
    assert report.files[0].detail == report.files[1].detail


def test_a_gbk_file_batched_with_utf8_files_keeps_its_text_and_name(con, tmp_path):
    header = "订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间\n"
    write(
        tmp_path / "tmall_orders" / "a_utf8.csv",
        header + "2881,tb_甲,19.90,交易成功,2026-11-01 10:00:00\n",
    )
    write(
        tmp_path / "tmall_orders" / "b_gbk.csv",
        (header + "2882,tb_乙,29.90,交易成功,2026-11-01 11:00:00\n").encode("gbk"),
    )
    write(
        tmp_path / "tmall_orders" / "c_bom.csv",
        "\ufeff" + header + "2883,tb_丙,39.90,交易关闭,2026-11-01 12:00:00\n",
    )
    report = ingest(con, "tmall_orders", tmp_path)

    assert [o.encoding for o in report.files] == ["utf-8", "gb18030", "utf-8-sig"]
    assert con.execute(
        "select _file_name, _row_number, order_id, buyer_nick, order_status "
        "from raw.tmall_orders order by 1"
    ).fetchall() == [
        ("tmall_orders/a_utf8.csv", 1, "2881", "tb_甲", "交易成功"),
        ("tmall_orders/b_gbk.csv", 1, "2882", "tb_乙", "交易成功"),
        ("tmall_orders/c_bom.csv", 1, "2883", "tb_丙", "交易关闭"),
    ]
    assert con.execute(
        "select file_name, encoding from raw.loaded_files order by 1"
    ).fetchall() == [
        ("tmall_orders/a_utf8.csv", "utf-8"),
        ("tmall_orders/b_gbk.csv", "gb18030"),
        ("tmall_orders/c_bom.csv", "utf-8-sig"),
    ]


def test_quarantined_rows_keep_their_own_file_and_row_numbers_in_a_batch(con, tmp_path):
    write(
        tmp_path / "mp_users" / "a.csv",
        MP_HEADER
        + "oMP1,oUn1,,2026-11-01 10:00:00,1,\n"
        + "oMP2\n"  # too few columns: row 2 of a.csv
        + "oMP3,oUn3,,2026-11-01 10:00:00,1,\n",
    )
    write(
        tmp_path / "mp_users" / "b.csv",
        MP_HEADER
        + "oMP4,oUn4,,2026-11-01 10:00:00,1,\n"
        + "oMP5,oUn5,,2026-11-01 10:00:00,1,\n"
        + ",oUn6,,2026-11-01 10:00:00,1,\n"  # empty openid: row 3 of b.csv
        + "oMP7,oUn7,,not a time,1,\n"  # row 4 of b.csv
        + "oMP8,oUn8,,2026-11-01 10:00:00,1,\n",
    )
    report = ingest(con, "mp_users", tmp_path)

    assert [(o.rows_read, o.rows_loaded, o.rows_quarantined) for o in report.files] == [
        (3, 2, 1),
        (5, 3, 2),
    ]
    assert [(row[1], row[2], row[3]) for row in quarantine(con)] == [
        ("mp_users/a.csv", 2, "c1"),
        ("mp_users/b.csv", 3, "openid"),
        ("mp_users/b.csv", 4, "register_time"),
    ]
    assert con.execute(
        "select _file_name, _row_number, openid from raw.mp_users order by 1, 2"
    ).fetchall() == [
        ("mp_users/a.csv", 1, "oMP1"),
        ("mp_users/a.csv", 3, "oMP3"),
        ("mp_users/b.csv", 1, "oMP4"),
        ("mp_users/b.csv", 2, "oMP5"),
        ("mp_users/b.csv", 5, "oMP8"),
    ]
    raw_records = con.execute(
        "select raw_record from raw.quarantine "
        "where file_name = 'mp_users/b.csv' order by row_number"
    ).fetchall()
    assert json.loads(raw_records[1][0])["register_time"] == "not a time"


def test_a_malformed_json_file_in_a_batch_is_refused_alone(con, tmp_path):
    def page(*openids: str) -> str:
        return json.dumps({"user_info_list": [{"openid": o, "subscribe": 1} for o in openids]})

    write(tmp_path / "oa_followers" / "p1.json", page("oOA1", "oOA2", "oOA3"))
    write(tmp_path / "oa_followers" / "p2.json", '{"user_info_list": [{"openid": ')
    write(tmp_path / "oa_followers" / "p3.json", page("oOA4", "oOA5"))
    report = ingest(con, "oa_followers", tmp_path)

    assert [(o.status, o.rows_loaded, o.rows_quarantined) for o in report.files] == [
        ("loaded", 3, 0),
        ("refused", 0, 0),
        ("loaded", 2, 0),
    ]
    assert report.files[1].detail.startswith("unreadable: malformed JSON at line 1, column 32")
    assert con.execute(
        "select _file_name, _row_number, openid from raw.oa_followers order by 1, 2"
    ).fetchall() == [
        ("oa_followers/p1.json", 1, "oOA1"),
        ("oa_followers/p1.json", 2, "oOA2"),
        ("oa_followers/p1.json", 3, "oOA3"),
        ("oa_followers/p3.json", 1, "oOA4"),
        ("oa_followers/p3.json", 2, "oOA5"),
    ]
    assert quarantine(con) == []


def test_records_are_numbered_in_page_order_within_each_file(con, tmp_path):
    pages = [
        {"user_info_list": [{"openid": f"oOA{page}_{index}"} for index in range(50)]}
        for page in range(3)
    ]
    write(tmp_path / "oa_followers" / "pages.jsonl", "\n".join(json.dumps(p) for p in pages))
    write(tmp_path / "oa_followers" / "single.json", json.dumps(pages[0]))
    ingest(con, "oa_followers", tmp_path)

    numbered = con.execute(
        "select _row_number, openid from raw.oa_followers "
        "where _file_name = 'oa_followers/pages.jsonl' order by 1"
    ).fetchall()
    expected = [f"oOA{page}_{index}" for page in range(3) for index in range(50)]
    assert numbered == list(enumerate(expected, start=1))
    assert con.execute(
        "select max(_row_number) from raw.oa_followers "
        "where _file_name = 'oa_followers/single.json'"
    ).fetchone() == (50,)


def test_wechatpay_bills_in_one_batch_keep_their_own_summaries(con, tmp_path):
    columns = SPECS["wechatpay_bills"].columns
    header = ",".join(columns.values())

    def bill(transaction_id: str, total: str) -> str:
        values = dict.fromkeys(columns, "")
        values |= {
            "trade_time": "2026-11-01 10:00:00",
            "transaction_id": transaction_id,
            "trade_state": "SUCCESS",
            "settlement_total": total,
            "refund_amount": "0.00",
        }
        detail = ",".join("`" + values[name] for name in columns)
        return f"{header}\n{detail}\n总交易单数,应结订单总金额\n`1,`{total}\n"

    write(tmp_path / "wechatpay_bills" / "d1.csv", bill("42001", "1.00"))
    write(tmp_path / "wechatpay_bills" / "d2.csv", bill("42002", "2.00").encode("gb18030"))
    ingest(con, "wechatpay_bills", tmp_path)

    assert con.execute(
        "select _file_name, transaction_id from raw.wechatpay_bills order by 1"
    ).fetchall() == [
        ("wechatpay_bills/d1.csv", "`42001"),
        ("wechatpay_bills/d2.csv", "`42002"),
    ]
    summaries = con.execute("select file_name, file_summary from raw.loaded_files order by 1")
    assert [(name, json.loads(text)["应结订单总金额"]) for name, text in summaries.fetchall()] == [
        ("wechatpay_bills/d1.csv", "1.00"),
        ("wechatpay_bills/d2.csv", "2.00"),
    ]


def test_a_file_duckdb_cannot_read_is_refused_and_the_batch_loads(con, tmp_path):
    write(tmp_path / "mp_users" / "a.csv", MP_HEADER + "oMP1,oUn1,,2026-11-01 10:00:00,1,\n")
    # stray carriage returns that DuckDB's CSV parser gives up on
    write(tmp_path / "mp_users" / "b.csv", MP_HEADER + "oMP2,oUn2,,\r\r\r2026-11-01,1,\n")
    write(tmp_path / "mp_users" / "c.csv", MP_HEADER + "oMP3,oUn3,,2026-11-01 10:00:00,1,\n")
    report = ingest(con, "mp_users", tmp_path)

    assert [o.status for o in report.files] == ["loaded", "refused", "loaded"]
    assert report.files[1].detail.startswith("unreadable: a carriage return alone in line 2")
    assert con.execute("select openid from raw.mp_users order by 1").fetchall() == [
        ("oMP1",),
        ("oMP3",),
    ]
    assert con.execute("select count(*) from raw.loaded_files").fetchone() == (2,)
