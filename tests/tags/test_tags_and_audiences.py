"""Tags and audiences on hand-made exports (tests/tags/scenario.py), two runs two days apart.

Every expected tag, audience member and history period below is worked out by hand in the
scenario's docstring; the project copy adds a tag by YAML edit, test audiences and an opt-out list.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from siyu.audiences.export import (
    EXPORT_ENCODING,
    audience_rows,
    export_audience,
    read_audience_file,
)
from siyu.audiences.summary import summarise_tags_and_audiences
from tests.conftest import ingest_landing, phone_hash
from tests.tags import scenario
from tests.tags.project import SELECT_TAGS, add_tags, as_of_vars, copy_project, run_dbt_in

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run


@dataclass(frozen=True)
class TwoRuns:
    project: Path
    day1: Path
    day2: Path


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> TwoRuns:
    root = tmp_path_factory.mktemp("tags")
    project = copy_project(root / "dbt_project")
    seeds = project / "seeds" / "tags"
    (seeds / "audience_opt_outs.csv").write_text(
        scenario.opt_outs_csv(phone_hash(scenario.P_BOB)), encoding="utf-8"
    )
    (seeds / "manual_customer_tags.csv").write_text(scenario.MANUAL_TAGS_CSV, encoding="utf-8")
    (project / "models" / "marts" / "tags" / "test_audiences.yml").write_text(
        scenario.TEST_AUDIENCES_YML, encoding="utf-8"
    )
    add_tags(project, scenario.BIG_SPENDER_TAG)
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    scenario.write_day1(landing)
    ingest_landing(warehouse, landing)
    run_dbt_in(project, ["build", *SELECT_TAGS, *as_of_vars(scenario.AS_OF_1)], warehouse)
    day1 = root / "day1.duckdb"
    shutil.copy(warehouse, day1)
    scenario.write_day2(landing)
    ingest_landing(warehouse, landing)
    run_dbt_in(project, ["build", *SELECT_TAGS, *as_of_vars(scenario.AS_OF_2)], warehouse)
    return TwoRuns(project=project, day1=day1, day2=warehouse)


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def customer_of(path: Path, id_type: str, id_value: str) -> str:
    rows = query(
        path,
        "select customer_id from intermediate.int_identity__customer_ids "
        "where id_type = ? and id_value = ?",
        [id_type, id_value],
    )
    assert len(rows) == 1, (id_type, id_value, rows)
    return rows[0][0]


PEOPLE = {
    "amy": ("member_id", "M001"),
    "bob": ("app_user_id", "app-bob"),
    "cat": ("wecom_external_userid", "wmCat"),
    "dan": ("mp_openid", "oMPdan"),
    "eve": ("member_id", "M005"),
    "fay": ("member_id", "M006"),
    "gus": ("member_id", "M007"),
    "ivy": ("member_id", "M009"),
    "hal_oa": ("oa_openid", "oOAhal"),
    "hal_app": ("app_user_id", "app-hal"),
    "kim": ("app_user_id", "app-kim"),
}


@functools.cache
def people(path: Path) -> dict[str, str]:
    """customer_id -> name of the scenario's people (one identifier each)."""
    rows = query(
        path,
        "select id_type, id_value, customer_id from intermediate.int_identity__customer_ids",
    )
    customer_by_id = {(id_type, id_value): customer_id for id_type, id_value, customer_id in rows}
    return {customer_by_id[identifier]: name for name, identifier in PEOPLE.items()}


def tags_by_person(path: Path, tag_key: str) -> dict[str, str]:
    names = people(path)
    rows = query(
        path, "select customer_id, tag_value from marts.customer_tags where tag_key = ?", [tag_key]
    )
    return {names[customer_id]: value for customer_id, value in rows}


def members(path: Path, audience_key: str) -> set[tuple]:
    names = people(path)
    rows = query(
        path,
        "select customer_id, channel, reach_id, owner_guide_id from marts.audience_members "
        "where audience_key = ?",
        [audience_key],
    )
    return {(names[customer_id], *rest) for customer_id, *rest in rows}


def test_every_person_is_one_customer(runs):
    for path in (runs.day1, runs.day2):
        assert query(path, "select count(*) from marts.dim_customer") == [(scenario.CUSTOMERS,)]
        assert len(people(path)) == scenario.CUSTOMERS


def test_rfm_tags_match_the_hand_count_and_dim_customer(runs):
    day1 = runs.day1
    assert tags_by_person(day1, "rfm_recency_score") == {
        "amy": "5",
        "dan": "5",
        "eve": "2",
        "fay": "2",
        "gus": "2",
        "ivy": "2",
    }
    assert tags_by_person(day1, "rfm_frequency_score") == {
        "amy": "3",
        "dan": "1",
        "eve": "1",
        "fay": "1",
        "gus": "2",
        "ivy": "1",
    }
    assert tags_by_person(day1, "rfm_monetary_score") == {
        "amy": "3",
        "dan": "2",
        "eve": "4",
        "fay": "1",
        "gus": "1",
        "ivy": "2",
    }
    segments = tags_by_person(day1, "rfm_segment")
    assert {name: segments[name] for name in ("amy", "dan", "eve", "fay", "gus", "ivy")} == {
        "amy": "needs_attention",
        "dan": "promising",
        "eve": "hibernating",
        "fay": "hibernating",
        "gus": "hibernating",
        "ivy": "hibernating",
    }
    assert {segments[name] for name in ("bob", "cat", "hal_oa", "hal_app", "kim")} == {"no_orders"}
    assert tags_by_person(day1, "orders_count") == {
        "amy": "3",
        "dan": "1",
        "eve": "1",
        "fay": "1",
        "gus": "2",
        "ivy": "1",
    }
    assert tags_by_person(day1, "days_since_first_order")["amy"] == "19"
    assert tags_by_person(day1, "days_since_last_order")["amy"] == "15"
    # the tags agree with the golden record for every customer
    assert query(
        day1,
        """
        select count(*) from marts.dim_customer
        left join marts.customer_tags as segment
            on segment.customer_id = dim_customer.customer_id and segment.tag_key = 'rfm_segment'
        left join marts.customer_tags as stage
            on stage.customer_id = dim_customer.customer_id and stage.tag_key = 'lifecycle_stage'
        where segment.tag_value is distinct from dim_customer.rfm_segment
            or stage.tag_value is distinct from dim_customer.lifecycle_stage
        """,
    ) == [(0,)]


def test_lifecycle_and_aipl_stages(runs):
    assert tags_by_person(runs.day1, "lifecycle_stage") == {
        "amy": "new",
        "bob": "prospect",
        "cat": "prospect",
        "dan": "new",
        "eve": "dormant",
        "fay": "dormant",
        "gus": "dormant",
        "ivy": "dormant",
        "hal_oa": "prospect",
        "hal_app": "prospect",
        "kim": "prospect",
    }
    assert tags_by_person(runs.day1, "aipl_stage") == {
        "amy": "loyal",
        "bob": "interest",
        "cat": "interest",
        "dan": "purchase",
        "eve": "purchase",
        "fay": "purchase",
        "gus": "loyal",
        "ivy": "purchase",
        "hal_oa": "aware",
        "hal_app": "interest",
        "kim": "interest",
    }
    day2_aipl = tags_by_person(runs.day2, "aipl_stage")
    assert day2_aipl["bob"] == "purchase"
    assert tags_by_person(runs.day2, "lifecycle_stage")["bob"] == "new"


def test_reachability_respects_channels_and_opt_outs(runs):
    day1 = runs.day1
    assert set(tags_by_person(day1, "reachable_wecom")) == {"amy", "cat", "eve"}  # fay opted out
    assert set(tags_by_person(day1, "reachable_official_account")) == {"amy", "dan", "kim"}
    assert set(tags_by_person(day1, "reachable_mini_program")) == {"dan"}
    assert set(tags_by_person(day1, "reachable_sms")) == {"amy", "ivy"}  # bob, fay opted out
    assert set(tags_by_person(runs.day2, "reachable_mini_program")) == {"dan", "bob"}
    assert tags_by_person(day1, "owner_guide") == {
        "amy": "g_wang",
        "cat": "g_li",
        "eve": "g_zhao",
        "fay": "g_zhao",
    }
    assert tags_by_person(day1, "home_store") == {
        "amy": "S01",
        "eve": "S02",
        "fay": "S02",
        "gus": "S03",
        "ivy": "S01",
    }
    assert set(tags_by_person(day1, "is_member")) == {"amy", "eve", "fay", "gus", "ivy"}


def test_preferred_category_and_price_band(runs):
    assert tags_by_person(runs.day1, "preferred_category") == {
        "amy": "护肤",
        "bob": "食品",
        "eve": "彩妆",
        "fay": "个护",
        "gus": "食品",
        "ivy": "护肤",
        "hal_app": "个护",
        "kim": "护肤",
    }
    # amy 548 / 4 items = 137.00; bob (browsed) (399 + 129) / 2 = 264.00
    assert tags_by_person(runs.day1, "price_band") == {
        "amy": "mid",
        "bob": "premium",
        "eve": "premium",
        "fay": "budget",
        "gus": "budget",
        "ivy": "mid",
        "hal_app": "budget",
        "kim": "premium",
    }


def test_intent_without_order(runs):
    assert tags_by_person(runs.day1, "intent_without_order") == {
        "bob": "carted",
        "cat": "consulted",
        "kim": "browsed",
    }
    assert tags_by_person(runs.day1, "high_value_browse_days_ago") == {"bob": "1", "kim": "3"}
    # day 2: bob ordered on 11-21; cat's WeCom add is 7 days old, kim's view 5
    assert tags_by_person(runs.day2, "intent_without_order") == {
        "cat": "consulted",
        "kim": "browsed",
    }
    assert tags_by_person(runs.day2, "high_value_browse_days_ago") == {"kim": "5"}


def test_coupon_sensitivity_and_three_order_stage(runs):
    assert tags_by_person(runs.day1, "coupon_order_share") == {
        "amy": "0.3333",
        "dan": "1.0000",
        "eve": "0.0000",
        "fay": "0.0000",
        "gus": "0.0000",
        "ivy": "0.0000",
    }
    assert tags_by_person(runs.day1, "coupon_sensitivity") == {
        "amy": "medium",
        "dan": "high",
        "eve": "none",
        "fay": "none",
        "gus": "none",
        "ivy": "none",
    }
    assert tags_by_person(runs.day1, "three_order_stage") == {
        "amy": "third_order",
        "dan": "first_order",
        "eve": "first_order",
        "fay": "first_order",
        "gus": "second_order",
        "ivy": "first_order",
    }
    assert tags_by_person(runs.day2, "three_order_stage")["bob"] == "first_order"
    assert tags_by_person(runs.day2, "coupon_sensitivity")["bob"] == "none"


def test_wecom_and_manual_tags(runs):
    assert tags_by_person(runs.day1, "wecom:客户等级/VIP") == {"amy": "true", "eve": "true"}
    assert tags_by_person(runs.day1, "wecom:双11意向/已加购") == {}
    assert tags_by_person(runs.day2, "wecom:双11意向/已加购") == {"cat": "true"}
    assert tags_by_person(runs.day1, "service_vip") == {"amy": "true"}
    sources = dict(query(runs.day1, "select tag_key, tag_source from marts.tag_definitions"))
    assert sources["wecom:客户等级/VIP"] == "wecom"
    assert sources["service_vip"] == "manual"
    assert sources["rfm_segment"] == "rule"


def test_a_tag_added_in_yaml_only_is_computed_and_defined(runs):
    assert tags_by_person(runs.day1, "big_spender") == {"amy": "true", "eve": "true"}
    assert query(
        runs.day1,
        "select tag_source, value_type, tag_rule, compiled_sql, customers_count "
        "from marts.tag_definitions where tag_key = 'big_spender'",
    ) == [("rule", "boolean", "gmv >= 500", "gmv >= 500", 2)]
    # a rule using another tag inlines that tag's rule
    compiled = query(
        runs.day1,
        "select compiled_sql from marts.tag_definitions where tag_key = 'coupon_sensitivity'",
    )[0][0]
    assert "(coupon_order_share) >= 0.5" in compiled


def test_example_audiences(runs):
    day1 = runs.day1
    assert members(day1, "intent_not_converted_1v1") == {("cat", "wecom", "wmCat", "g_li")}
    assert members(day1, "high_value_browsers_day1") == set()  # bob: SMS opted out, no WeCom
    assert members(day1, "high_value_browsers_day3") == {
        ("kim", "official_account", "oOAkim", None)
    }
    assert members(day1, "first_order_recall_day7") == {("dan", "official_account", "oOAdan", None)}
    assert members(day1, "dormant_members_near_store") == {
        ("eve", "wecom", "wmEve", "g_zhao"),
        ("ivy", "sms", phone_hash(scenario.P_IVY), None),
    }
    # two days later dan's first order is 9 days old and kim's view 5
    assert members(runs.day2, "first_order_recall_day7") == set()
    assert members(runs.day2, "high_value_browsers_day3") == set()


def test_audience_expressions_with_and_or_not(runs):
    day1 = runs.day1
    # (dormant or consulted) and not VIP: eve is VIP, fay opted out, gus unreachable
    assert members(day1, "t_and_or_not") == {
        ("cat", "wecom", "wmCat", "g_li"),
        ("ivy", "sms", phone_hash(scenario.P_IVY), None),
    }
    assert members(day1, "t_every_channel") == {
        ("amy", "wecom", "wmAmy", "g_wang"),
        ("amy", "official_account", "oOAamy", None),
        ("amy", "sms", phone_hash(scenario.P_AMY), None),
        ("eve", "wecom", "wmEve", "g_zhao"),
    }
    assert members(day1, "t_not_boolean") == {("ivy", "sms", phone_hash(scenario.P_IVY), None)}
    # `and` binds tighter than `or`: dan by coupon share, kim by premium and interest
    assert members(day1, "t_compare") == {
        ("dan", "official_account", "oOAdan", None),
        ("kim", "official_account", "oOAkim", None),
    }


def test_opted_out_and_unreachable_customers_never_appear(runs):
    for path in (runs.day1, runs.day2):
        names = people(path)
        listed = {
            (names[customer_id], channel)
            for customer_id, channel in query(
                path, "select customer_id, channel from marts.audience_members"
            )
        }
        assert not {entry for entry in listed if entry[0] in ("fay", "gus", "hal_oa")}
        assert ("bob", "sms") not in listed
        assert query(
            path,
            "select count(*) from marts.audience_members as members "
            "left join intermediate.int_tags__reach_ids as reach "
            "on members.customer_id = reach.customer_id and members.channel = reach.channel "
            "and members.reach_id = reach.reach_id "
            "where reach.is_reachable is distinct from true",
        ) == [(0,)]


def test_history_answers_who_had_a_tag_on_a_date(runs):
    names = people(runs.day2)

    def holders(tag_key: str, moment: str) -> dict[str, str]:
        rows = query(
            runs.day2,
            "select customer_id, tag_value from marts.customer_tag_history "
            "where tag_key = ? and valid_from <= cast(? as timestamp) "
            "and (valid_to is null or valid_to > cast(? as timestamp))",
            [tag_key, moment, moment],
        )
        return {names[customer_id]: value for customer_id, value in rows}

    assert holders("intent_without_order", "2026-11-19 00:00:00") == {}  # before any history
    assert holders("intent_without_order", "2026-11-21 00:00:00") == {
        "bob": "carted",
        "cat": "consulted",
        "kim": "browsed",
    }
    assert holders("intent_without_order", "2026-11-23 00:00:00") == {
        "cat": "consulted",
        "kim": "browsed",
    }
    assert holders("aipl_stage", "2026-11-21 00:00:00")["bob"] == "interest"
    assert holders("aipl_stage", "2026-11-23 00:00:00")["bob"] == "purchase"
    assert holders("wecom:双11意向/已加购", "2026-11-21 00:00:00") == {}
    assert holders("wecom:双11意向/已加购", "2026-11-23 00:00:00") == {"cat": "true"}
    # bob's high-value browse tag went away: its period is closed at the day-2 as_of
    assert query(
        runs.day2,
        "select tag_value, valid_from, valid_to from marts.customer_tag_history "
        "where tag_key = 'high_value_browse_days_ago' and customer_id = ?",
        [customer_of(runs.day2, "app_user_id", "app-bob")],
    ) == [("1", _ts(scenario.AS_OF_1), _ts(scenario.AS_OF_2))]


HISTORY_LOG = "snapshots.int_customer_tags__recorded"


# one stored value of each kind the catalogue test must reject: (tag_key, new value)
BROKEN_TAG_VALUES = [
    ("is_member", "yes"),  # boolean: only 'true' is stored
    ("orders_count", "two"),  # integer
    ("coupon_order_share", "0,5"),  # number
    ("lifecycle_stage", "zombie"),  # text outside its values
    ("home_store", None),  # text: never null
]


def test_the_catalogue_test_fails_on_each_stored_value_that_breaks_its_tag(runs, tmp_path):
    """tag_catalogue_is_valid passes on the built tags and reports exactly the values broken
    here: one of each kind and a rule tag the catalogue does not list, but not a WeCom tag (the
    catalogue cannot list guides' labels)."""
    warehouse = tmp_path / "broken_tags.duckdb"
    shutil.copy(runs.day2, warehouse)
    # the check reads the rows this build wrote (macros/checks/get_where_subquery.sql): the values
    # are broken as of day 2's build
    catalogue_test = [
        "test",
        "--select",
        "test_name:tag_catalogue_is_valid",
        *as_of_vars(scenario.AS_OF_2),
    ]
    assert run_dbt_in(runs.project, catalogue_test, warehouse).returncode == 0
    with duckdb.connect(str(warehouse)) as con:
        for tag_key, value in BROKEN_TAG_VALUES:
            (tag_id,) = con.execute(
                "select min(customer_tag_id) from marts.customer_tags where tag_key = ?", [tag_key]
            ).fetchone()
            assert tag_id is not None, f"the scenario carries no {tag_key} tag"
            con.execute(
                "update marts.customer_tags set tag_value = ?, computed_at = ? "
                "where customer_tag_id = ?",
                [value, _ts(scenario.AS_OF_2), tag_id],
            )
        for tag_key, source in (("retired_rule_tag", "rule"), ("guide_wecom_label", "wecom")):
            con.execute(
                "insert into marts.customer_tags by name select ? as customer_tag_id, "
                "'customer' as customer_id, ? as tag_key, 'x' as tag_value, ? as tag_source, "
                "? as computed_at",
                [f"{tag_key}-id", tag_key, source, _ts(scenario.AS_OF_2)],
            )
    result = run_dbt_in(runs.project, catalogue_test, warehouse, check=False)
    assert result.returncode != 0
    assert re.search(r"Got 6 results, configured to fail if != 0", result.stdout), result.stdout


CLEAR_MOBILE = "13912345678"


def test_row_checks_of_kept_tags_read_the_rows_this_build_wrote(runs, tmp_path):
    """The clear-mobile scan of customer_tags reads the rows computed as of this build: a row kept
    from an earlier build was scanned by that build (one that fails makes the next a full
    refresh), so a day-1 row is not read again on day 2, while a day-2 row is, and a full
    refresh reads every row. A row with no computed_at fails on every build."""
    warehouse = tmp_path / "kept_rows.duckdb"
    shutil.copy(runs.day2, warehouse)

    def check(test_name: str, *extra: str) -> subprocess.CompletedProcess:
        # the intersection selects the test alone (the model is not built again over the rows
        # broken here); `build`, as `test` takes no --full-refresh
        select = ["build", "--select", f"customer_tags,test_name:{test_name}"]
        return run_dbt_in(
            runs.project, [*select, *extra, *as_of_vars(scenario.AS_OF_2)], warehouse, check=False
        )

    def set_in_a_row_computed_at(as_of: str, column: str, value: str | None) -> None:
        with duckdb.connect(str(warehouse)) as con:
            con.execute(
                f"update marts.customer_tags set {column} = ? where customer_tag_id = "
                "(select min(customer_tag_id) from marts.customer_tags where computed_at = ?)",
                [value, _ts(as_of)],
            )

    scan = "no_clear_mobile_numbers"
    set_in_a_row_computed_at(scenario.AS_OF_1, "tag_value", CLEAR_MOBILE)
    kept = check(scan)
    assert kept.returncode == 0, kept.stdout[-3000:]
    refreshed = check(scan, "--full-refresh")
    assert refreshed.returncode != 0
    assert "Got 1 result, configured to fail if != 0" in refreshed.stdout, refreshed.stdout[-3000:]
    with duckdb.connect(str(warehouse)) as con:  # day 1's row no longer holds it
        con.execute(
            "update marts.customer_tags set tag_value = 'true' where tag_value = ?", [CLEAR_MOBILE]
        )
    set_in_a_row_computed_at(scenario.AS_OF_2, "tag_value", CLEAR_MOBILE)
    result = check(scan)
    assert result.returncode != 0
    assert "Got 1 result, configured to fail if != 0" in result.stdout, result.stdout[-3000:]
    # a row with no as_of, which the filter cannot see, fails the unfiltered not-null test
    assert check("not_null_columns").returncode == 0
    set_in_a_row_computed_at(scenario.AS_OF_1, "computed_at", None)
    nulls = check("not_null_columns")
    assert nulls.returncode != 0
    assert "Got 1 result, configured to fail if != 0" in nulls.stdout, nulls.stdout[-3000:]


def test_the_key_of_kept_tags_counts_the_keys_this_build_wrote(runs, tmp_path):
    """customer_tags' primary key counts, on an incremental build, only the keys of the rows it
    wrote, against every row: a written row that repeats the key of a kept one fails, a repeat
    among kept rows alone (which the build that wrote them would have failed) is read by a full
    refresh."""
    warehouse = tmp_path / "kept_keys.duckdb"
    shutil.copy(runs.day2, warehouse)
    select = ["build", "--select", "customer_tags,test_name:primary_key"]

    def check(*extra: str) -> subprocess.CompletedProcess:
        return run_dbt_in(
            runs.project, [*select, *extra, *as_of_vars(scenario.AS_OF_2)], warehouse, check=False
        )

    def repeat_a_row_computed_at(kept_as_of: str, repeat_as_of: str) -> None:
        with duckdb.connect(str(warehouse)) as con:
            con.execute(
                "insert into marts.customer_tags select * replace (? as computed_at) "
                "from marts.customer_tags where customer_tag_id = "
                "(select min(customer_tag_id) from marts.customer_tags where computed_at = ?)",
                [_ts(repeat_as_of), _ts(kept_as_of)],
            )

    def remove_repeats() -> None:
        with duckdb.connect(str(warehouse)) as con:
            con.execute(
                "create or replace table marts.customer_tags as select * from marts.customer_tags "
                "qualify row_number() over (partition by customer_id, tag_key "
                "order by computed_at) = 1"
            )

    assert check().returncode == 0
    repeat_a_row_computed_at(scenario.AS_OF_1, scenario.AS_OF_1)  # two kept rows
    assert check().returncode == 0
    refreshed = check("--full-refresh")
    assert "Got 1 result, configured to fail if != 0" in refreshed.stdout, refreshed.stdout[-3000:]
    remove_repeats()
    repeat_a_row_computed_at(scenario.AS_OF_1, scenario.AS_OF_2)  # a written row repeats a kept key
    written = check()
    assert written.returncode != 0
    assert "Got 1 result, configured to fail if != 0" in written.stdout, written.stdout[-3000:]


def test_history_moves_forward_only(runs, tmp_path):
    warehouse = tmp_path / "again.duckdb"
    shutil.copy(runs.day2, warehouse)
    log = f"select * from {HISTORY_LOG} order by tag_change_id"
    before = query(warehouse, log)
    # a re-run whose as_of is not after the last recorded change (here: the same) records nothing
    run_dbt_in(
        runs.project,
        ["run", "--select", "int_customer_tags__recorded", *as_of_vars(scenario.AS_OF_2)],
        warehouse,
    )
    assert query(warehouse, log) == before


def test_the_history_mart_keeps_step_with_its_log(runs):
    """customer_tag_history takes in only the changes after the last it holds (incremental on
    DuckDB); it is in step with the log when it holds a period per change that carries a tag up to
    that moment (what its pre-hook, macro tag_history_out_of_step, checks), and its periods are
    those of the whole log."""
    moment = "(select max(coalesce(valid_to, valid_from)) from marts.customer_tag_history)"
    ((held, logged),) = query(
        runs.day2,
        "select (select count(*) from marts.customer_tag_history), "
        f"(select count(*) from {HISTORY_LOG} where is_present and recorded_at <= {moment})",
    )
    assert held == logged > 0
    assert query(
        runs.day2,
        f"select count(*) from {HISTORY_LOG} where recorded_at > {moment}",
    ) == [(0,)]


def test_history_log_records_only_changes(runs):
    names = people(runs.day2)
    rows = query(
        runs.day2,
        "select customer_id, tag_value, is_present, cast(recorded_at as varchar) "
        f"from {HISTORY_LOG} where tag_key = 'intent_without_order' "
        "order by customer_id, recorded_at",
    )
    changes = {(names[customer_id], value, present, at) for customer_id, value, present, at in rows}
    # bob carted on day 1, then ordered: his tag went on day 2; cat and kim kept theirs, so
    # day 2 recorded nothing for them
    assert changes == {
        ("bob", "carted", True, scenario.AS_OF_1),
        ("bob", "carted", False, scenario.AS_OF_2),
        ("cat", "consulted", True, scenario.AS_OF_1),
        ("kim", "browsed", True, scenario.AS_OF_1),
    }
    # and every change of the log differs from the one before it for the same customer and tag
    assert query(
        runs.day2,
        f"""
        select count(*) from (
            select
                is_present, tag_value, tag_source,
                lag(is_present) over previous as was,
                lag(tag_value) over previous as value_was,
                lag(tag_source) over previous as source_was
            from {HISTORY_LOG}
            window previous as (partition by customer_tag_id order by recorded_at)
        )
        where is_present = was and tag_value = value_was and tag_source = source_was
        """,
    ) == [(0,)]


DAY_COUNTS = ("days_since_first_order", "days_since_last_order")


def test_day_counts_are_current_only_and_keep_no_history(runs):
    """Day counts up to as_of move every day by themselves (history: current in the catalogue):
    customer_tags carries them, the history log never records them."""
    assert tags_by_person(runs.day2, "days_since_last_order").keys() >= {"amy", "eve"}
    assert query(
        runs.day2,
        f"select count(*) from {HISTORY_LOG} where tag_key in {DAY_COUNTS}",
    ) == [(0,)]
    assert query(
        runs.day2,
        f"select count(*) from marts.customer_tag_history where tag_key in {DAY_COUNTS}",
    ) == [(0,)]
    histories = dict(query(runs.day2, "select tag_key, history from marts.tag_definitions"))
    assert {key for key, history in histories.items() if history != "changes"} == set(DAY_COUNTS)
    assert {histories[key] for key in DAY_COUNTS} == {"current"}


def test_a_tag_switched_to_current_only_has_its_open_periods_closed_once(runs, tmp_path):
    """big_spender was logged on day 1; set to history: current, the next build closes its open
    periods at its as_of and logs nothing more for it."""
    project = copy_project(tmp_path / "dbt_project")
    add_tags(project, {**scenario.BIG_SPENDER_TAG, "history": "current"})
    warehouse = tmp_path / "switched.duckdb"
    shutil.copy(runs.day1, warehouse)
    history = (
        "select customer_id, tag_value, valid_from, valid_to from marts.customer_tag_history "
        "where tag_key = 'big_spender' order by customer_id"
    )
    holders = {customer_of(runs.day1, *PEOPLE[name]) for name in ("amy", "eve")}
    assert {row[0] for row in query(warehouse, history)} == holders
    assert all(row[3] is None for row in query(warehouse, history))  # open on day 1
    selected = ["--select", "int_customer_tags__recorded", "customer_tag_history"]
    for as_of in (scenario.AS_OF_2, "2026-11-23 12:00:00"):
        run_dbt_in(project, ["run", *selected, *as_of_vars(as_of)], warehouse)
    assert query(warehouse, history) == [
        (customer_id, "true", _ts(scenario.AS_OF_1), _ts(scenario.AS_OF_2))
        for customer_id in sorted(holders)
    ]
    assert query(
        warehouse,
        f"select is_present, count(*) from {HISTORY_LOG} where tag_key = 'big_spender' "
        "group by is_present order by is_present",
    ) == [(False, 2), (True, 2)]


def test_full_refresh_keeps_the_history(runs, tmp_path):
    warehouse = tmp_path / "refreshed.duckdb"
    shutil.copy(runs.day2, warehouse)
    log = f"select * from {HISTORY_LOG} order by tag_change_id"
    before = query(warehouse, log)
    assert before
    run_dbt_in(
        runs.project,
        [
            "run",
            "--select",
            "int_customer_tags__recorded",
            "--full-refresh",
            *as_of_vars(scenario.AS_OF_2),
        ],
        warehouse,
    )
    assert query(warehouse, log) == before


def since(path: Path, tag_key: str) -> dict[str, tuple[str, object]]:
    """name -> (value, computed_at) of the scenario's people carrying the tag."""
    names = people(path)
    rows = query(
        path,
        "select customer_id, tag_value, computed_at from marts.customer_tags where tag_key = ?",
        [tag_key],
    )
    return {names[customer]: (value, at) for customer, value, at in rows if customer in names}


def test_computed_at_says_since_when_the_value_is_carried(runs):
    """A tag keeps the as_of of the build that first computed its value; a value that changed or
    started on day 2 has day 2's; for a tag with history it is the start of its current period."""
    day1, day2 = _ts(scenario.AS_OF_1), _ts(scenario.AS_OF_2)
    assert since(runs.day2, "intent_without_order") == {
        "cat": ("consulted", day1),
        "kim": ("browsed", day1),
    }
    assert since(runs.day2, "aipl_stage")["bob"] == ("purchase", day2)  # interest on day 1
    assert since(runs.day2, "wecom:双11意向/已加购") == {"cat": ("true", day2)}
    # day counts grow every day: every one is new on day 2
    assert {at for _, at in since(runs.day2, "days_since_last_order").values()} == {day2}
    moments = query(
        runs.day2,
        """
        select tags.computed_at, count(*) as tags,
            count(case when tags.computed_at is distinct from history.valid_from then 1 end)
        from marts.customer_tags as tags
        left join marts.customer_tag_history as history
            on tags.customer_id = history.customer_id and tags.tag_key = history.tag_key
            and history.is_current
        where tags.tag_key in (select tag_key from marts.tag_definitions where history = 'changes')
        group by tags.computed_at order by tags.computed_at
        """,
    )
    assert [(at, mismatched) for at, _, mismatched in moments] == [(day1, 0), (day2, 0)]


def copy_keeping_views(warehouse: Path, folder: Path) -> Path:
    """A copy of the warehouse file under its own name: a DuckDB view names the file (catalog)
    it was created in, so int_tags__rule_values reads only in a copy of the same name."""
    copy = folder / warehouse.name
    shutil.copy(warehouse, copy)
    return copy


def test_full_refresh_keeps_since_when(runs, tmp_path):
    """customer_tags is kept from run to run like the log: a full refresh compares with it."""
    warehouse = copy_keeping_views(runs.day2, tmp_path)
    tags = "select * from marts.customer_tags order by customer_tag_id"
    before = query(warehouse, tags)
    assert {row[-1] for row in before} == {_ts(scenario.AS_OF_1), _ts(scenario.AS_OF_2)}
    run_dbt_in(
        runs.project,
        ["run", "--select", "customer_tags", "--full-refresh", *as_of_vars(scenario.AS_OF_2)],
        warehouse,
    )
    assert query(warehouse, tags) == before


def test_a_change_of_the_kept_tags_columns_fails_the_build(runs, tmp_path):
    """Kept rows cannot hold a column they were written without: the build stops, not the
    column silently left out (dbt's default for incremental models)."""
    warehouse = copy_keeping_views(runs.day2, tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        # as a release that removed a column would leave it
        con.execute("alter table marts.customer_tags add column tag_note varchar")
    select = ["run", "--select", "customer_tags", *as_of_vars(scenario.AS_OF_2)]
    result = run_dbt_in(runs.project, select, warehouse, check=False)
    assert result.returncode != 0
    assert "on_schema_change" in result.stdout, result.stdout[-3000:]


LEGACY_SNAPSHOT = """
create table snapshots.customer_tags_snapshot as
select * from (values
    -- a tag carried from day 1 on, changed on day 2
    ('t1', 'c1', 'aipl_stage', 'interest', 'rule', true,
     timestamp '2026-11-01 12:00:00', timestamp '2026-11-02 12:00:00'),
    ('t1', 'c1', 'aipl_stage', 'purchase', 'rule', true, timestamp '2026-11-02 12:00:00', null),
    -- a tag that went on day 2: the snapshot kept it as a version with is_present false
    ('t2', 'c1', 'intent_without_order', 'carted', 'rule', true,
     timestamp '2026-11-01 12:00:00', timestamp '2026-11-02 12:00:00'),
    ('t2', 'c1', 'intent_without_order', 'carted', 'rule', false,
     timestamp '2026-11-02 12:00:00', null),
    -- a zero-length version, replaced at the same moment by the one that holds
    ('t3', 'c2', 'price_band', 'mid', 'rule', true,
     timestamp '2026-11-02 12:00:00', timestamp '2026-11-02 12:00:00'),
    ('t3', 'c2', 'price_band', 'premium', 'rule', true, timestamp '2026-11-02 12:00:00', null)
) as versions(customer_tag_id, customer_id, tag_key, tag_value, tag_source, is_present,
              dbt_valid_from, dbt_valid_to)
"""


def test_history_takes_over_the_former_dbt_snapshot(runs, tmp_path):
    """An existing deployment kept tag history in the dbt snapshot customer_tags_snapshot: the
    first build of the change log starts from its versions, so no history is lost."""
    warehouse = tmp_path / "upgraded.duckdb"
    shutil.copy(runs.day1, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"drop table {HISTORY_LOG}")
        con.execute(LEGACY_SNAPSHOT)
    run_dbt_in(
        runs.project,
        [
            "run",
            "--select",
            "int_customer_tags__recorded",
            "customer_tag_history",
            *as_of_vars(scenario.AS_OF_1),
        ],
        warehouse,
    )
    history = query(
        warehouse,
        "select customer_id, tag_key, tag_value, cast(valid_from as varchar), "
        "cast(valid_to as varchar), is_current from marts.customer_tag_history "
        "where customer_id in ('c1', 'c2') order by tag_key, valid_from",
    )
    # c1 and c2 are not customers of the day-1 exports: their open periods end at AS_OF_1
    assert history == [
        ("c1", "aipl_stage", "interest", "2026-11-01 12:00:00", "2026-11-02 12:00:00", False),
        ("c1", "aipl_stage", "purchase", "2026-11-02 12:00:00", scenario.AS_OF_1, False),
        (
            "c1",
            "intent_without_order",
            "carted",
            "2026-11-01 12:00:00",
            "2026-11-02 12:00:00",
            False,
        ),
        ("c2", "price_band", "premium", "2026-11-02 12:00:00", scenario.AS_OF_1, False),
    ]
    # the day-1 tags whose history is kept, after the legacy history, are recorded at AS_OF_1
    # as new; the legacy customers, not tagged any more, are recorded as gone
    assert query(
        warehouse,
        f"select count(*) from {HISTORY_LOG} where recorded_at = cast(? as timestamp) "
        "and is_present",
        [scenario.AS_OF_1],
    ) == query(
        runs.day1,
        "select count(*) from marts.customer_tags where tag_key in "
        "(select tag_key from marts.tag_definitions where history = 'changes')",
    )
    assert query(
        warehouse,
        f"select customer_tag_id from {HISTORY_LOG} where recorded_at = cast(? as timestamp) "
        "and not is_present order by 1",
        [scenario.AS_OF_1],
    ) == [("t1",), ("t3",)]


def test_export_files_round_trip(runs, tmp_path):
    with duckdb.connect(str(runs.day1), read_only=True) as con:
        files = export_audience(con, "dormant_members_near_store", tmp_path)
        expected = {
            channel: audience_rows(con, "dormant_members_near_store", channel)
            for channel in ("wecom", "sms")
        }
    assert [(item.channel, item.members) for item in files] == [("wecom", 1), ("sms", 1)]
    for item in files:
        assert item.path.name == f"dormant_members_near_store__{item.channel}.csv"
        assert item.path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
        assert read_audience_file(item.path) == expected[item.channel]
    assert EXPORT_ENCODING == "utf-8-sig"


def test_summary_counts_every_tag_and_audience(runs):
    with duckdb.connect(str(runs.day1), read_only=True) as con:
        summary = summarise_tags_and_audiences(con)
    tags = {tag.tag_key: tag.customers for tag in summary.tags}
    assert tags["intent_without_order"] == 3
    assert tags["wecom:客户等级/VIP"] == 2
    audiences = {audience.audience_key: audience for audience in summary.audiences}
    assert audiences["dormant_members_near_store"].members == 2
    assert audiences["dormant_members_near_store"].by_channel == {"sms": 1, "wecom": 1}
    assert audiences["high_value_browsers_day1"].members == 0


def _ts(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text)


def test_cli_and_dagster_asset_export_every_channel_file(runs, tmp_path, capsys):
    import dagster as dg

    from orchestration.audiences.assets import build_audience_export_assets
    from orchestration.resources import WarehouseResource
    from siyu.audiences.__main__ import main

    out = tmp_path / "cli"
    args = ["--warehouse", str(runs.day1), "export", "--audience", "first_order_recall_day7"]
    assert main([*args, "--out", str(out)]) == 0
    assert sorted(path.name for path in out.iterdir()) == [
        "first_order_recall_day7__official_account.csv",
        "first_order_recall_day7__sms.csv",
        "first_order_recall_day7__wecom.csv",
    ]
    assert main(["--warehouse", str(runs.day1), "export", "--audience", "nope", "--out", "x"]) == 2
    assert "unknown audience 'nope'" in capsys.readouterr().err

    # the asset reads the marts just published from the working warehouse; the published file,
    # which a BI tool may hold open, is never opened (here: none exists)
    asset_dir = tmp_path / "asset"
    published = tmp_path / "published.duckdb"
    warehouse = WarehouseResource(
        warehouse_path=str(runs.day1), published_path=str(published), landing_dir=str(tmp_path)
    )
    result = dg.materialize(
        build_audience_export_assets(asset_dir), resources={"warehouse": warehouse}
    )
    assert result.success
    assert not published.exists()
    written = {path.name for path in asset_dir.iterdir()}
    assert "dormant_members_near_store__sms.csv" in written
    assert "t_and_or_not__wecom.csv" in written
