"""tests/landing.py: the landing folders the tests write."""

from __future__ import annotations

import pytest

from siyu.settings import DEFAULT_LANDING_DIR
from tests.landing import LandingBuilder, lines, write_file


def test_an_empty_landing_is_a_new_folder(tmp_path):
    landing = LandingBuilder.empty(tmp_path / "landing")

    assert landing.path.is_dir() and not any(landing.path.iterdir())
    with pytest.raises(FileExistsError):
        LandingBuilder.empty(tmp_path / "landing")


def test_files_are_added_as_text_in_their_encoding_or_as_bytes(tmp_path):
    landing = LandingBuilder.empty(tmp_path / "landing")

    csv = landing.add("tmall_orders", "订单.csv", "编号\n1\n", encoding="gbk")
    raw = landing.add("pos_orders", "archive/a.csv", b"\xff\xfea\x00")
    rows = landing.add_lines("mp_users", "users.csv", ["\ufeffopenid", "oMP1"])
    page = landing.add_json("ads_tencent", "p1.json", {"名": 1}, ensure_ascii=False)
    events = landing.add_jsonl("app_events", "e.jsonl", [{"a": 1}, {"b": 2}])

    assert csv == tmp_path / "landing" / "tmall_orders" / "订单.csv"
    assert csv.read_bytes() == "编号\n1\n".encode("gbk")
    assert raw.read_bytes() == b"\xff\xfea\x00"
    assert raw.parent.name == "archive"
    assert rows.read_bytes() == "\ufeffopenid\noMP1\n".encode()
    assert page.read_text(encoding="utf-8") == '{"名": 1}'
    assert events.read_text(encoding="utf-8") == '{"a": 1}\n{"b": 2}\n'


def test_a_file_is_replaced_removed_and_a_source_dropped(tmp_path):
    landing = LandingBuilder.empty(tmp_path / "landing")
    landing.add("mp_users", "a.csv", "old")
    landing.add("mp_users", "b.csv", "b")
    landing.add("sms_sends", "s.csv", "s")

    landing.add("mp_users", "a.csv", "new")
    assert landing.file("mp_users", "a.csv").read_text(encoding="utf-8") == "new"
    landing.remove("mp_users", "b.csv")
    assert sorted(p.name for p in (landing.path / "mp_users").iterdir()) == ["a.csv"]
    landing.drop("sms_sends")
    assert sorted(p.name for p in landing.path.iterdir()) == ["mp_users"]


def test_the_sample_is_copied_whole_or_by_source(tmp_path):
    whole = LandingBuilder.sample(tmp_path / "whole")
    some = LandingBuilder.sample(tmp_path / "some", sources=["wecom_tags", "coupons"])

    sources = LandingBuilder.sample_sources()
    assert "pos_orders" in sources and "wecom_tags" in sources
    assert sorted(p.name for p in whole.path.iterdir()) == sources
    assert sorted(p.name for p in some.path.iterdir()) == ["coupons", "wecom_tags"]
    for copied in (some.path / "wecom_tags").rglob("*"):
        original = DEFAULT_LANDING_DIR / copied.relative_to(some.path)
        assert copied.is_dir() or copied.read_bytes() == original.read_bytes()


def test_lines_and_write_file(tmp_path):
    assert lines("h", "1") == "h\n1\n"
    path = write_file(tmp_path / "deep" / "er" / "f.txt", "é", encoding="latin-1")
    assert path.read_bytes() == b"\xe9"
