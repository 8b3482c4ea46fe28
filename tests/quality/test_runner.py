"""The runner's own behaviour: unreadable tables, broken derived columns, masking, ordering."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from siyu.quality.results import holds_clear_mobile, shape_mask
from siyu.quality.runner import run_suite
from siyu.quality.suites import load_suite
from tests.quality.conftest import run_mutated


def write_suite(path: Path, expectations: list[dict], **siyu) -> Path:
    document = {
        "name": "raw.mp_users",
        "meta": {"siyu": {"table": "raw.mp_users", **siyu}},
        "expectations": expectations,
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_table_that_does_not_exist_fails_blocking(suites):
    with duckdb.connect() as con:
        result = run_suite(con, suites["mp_users"])

    (outcome,) = result.outcomes
    assert not result.success
    assert outcome.is_blocking
    assert "raw.mp_users" in outcome.error


def test_outcomes_keep_the_suite_file_order(clean_con, suites):
    result = run_suite(clean_con, suites["wechatpay_bills"])

    assert [outcome.index for outcome in result.outcomes] == list(
        range(len(suites["wechatpay_bills"].expectations))
    )
    assert [outcome.expectation_type for outcome in result.outcomes] == [
        entry["type"] for entry in suites["wechatpay_bills"].expectations
    ]


def test_only_named_columns_and_row_locators_are_fetched(clean_con, suites):
    from siyu.quality.batch import fetch_batch

    batch = fetch_batch(clean_con, suites["mp_users"])

    assert "scene_query" not in batch.frame.columns  # no expectation names it
    assert "_loaded_at" not in batch.frame.columns
    assert {"_file_name", "_row_number", "openid", "register_time__year"} <= set(
        batch.frame.columns
    )


def test_derived_column_that_errors_at_run_time_fails_only_its_expectations(clean_con, tmp_path):
    suite = load_suite(
        write_suite(
            tmp_path / "mp_users.json",
            [
                {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "openid"}},
                {
                    "type": "expect_column_values_to_be_between",
                    "kwargs": {"column": "openid__number", "min_value": 0},
                },
            ],
            derived_columns={"openid__number": "cast(openid as integer)"},  # binds, then fails
        )
    )

    result = run_suite(clean_con, suite)

    assert [outcome.success for outcome in result.outcomes] == [True, False]
    assert "openid__number" in result.problems
    assert "Conversion Error" in result.outcomes[1].error


def test_passed_expectations_report_counts_and_failed_ones_examples_too(clean_con, tmp_path):
    """Examples are collected in a second validation of only the failed expectations."""
    regex = {"column": "openid", "regex": "^o[A-Za-z0-9_-]{20,40}$"}
    suite = load_suite(
        write_suite(
            tmp_path / "mp_users.json",
            [
                {"type": "expect_column_values_to_match_regex", "kwargs": regex},
                {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "openid"}},
                {"type": "expect_column_values_to_match_regex", "kwargs": {**regex, "mostly": 0.5}},
            ],
        )
    )

    result = run_mutated(
        clean_con, suite, "update raw.mp_users set openid = 'oBAD!' where _row_number = 3"
    )

    failed, not_null, mostly = result.outcomes
    rows = clean_con.execute("select count(*) from raw.mp_users").fetchone()[0]
    assert [outcome.index for outcome in result.outcomes] == [0, 1, 2]
    assert (failed.success, not_null.success, mostly.success) == (False, True, True)
    assert failed.unexpected_count == 1 and failed.element_count == rows
    assert failed.unexpected_values == ({"value": "oBAD!", "count": 1},)
    assert failed.unexpected_rows[0]["_row_number"] == 3
    # passed: counted, without examples (the bad row is there, but `mostly` lets it pass)
    assert not_null.observed() == {"element_count": rows, "unexpected_count": 0}
    assert mostly.unexpected_count == 1
    assert mostly.unexpected_values == () and mostly.unexpected_rows == ()


def test_decimal_and_int32_columns_are_fetched_as_int64_or_double(clean_con, tmp_path):
    """Great Expectations checks a range one Python call per value unless the column is int64
    or float64: DECIMAL money and INTEGER columns are converted, still fail where they should,
    and two decimal columns compared by a pair expectation stay comparable."""
    from siyu.quality.batch import fetch_batch

    suite = load_suite(
        write_suite(
            tmp_path / "mp_users.json",
            [
                {
                    "type": "expect_column_values_to_be_between",
                    "kwargs": {"column": "price", "min_value": 0, "max_value": 9.99},
                },
                {
                    "type": "expect_column_values_to_be_between",
                    "kwargs": {"column": "position", "min_value": 1, "max_value": 3},
                },
                {
                    "type": "expect_column_pair_values_to_be_equal",
                    "kwargs": {"column_A": "price", "column_B": "list_price"},
                },
                {
                    "type": "expect_column_values_to_be_between",
                    "kwargs": {"column": "discount", "min_value": 0.1},
                },
            ],
            query=(
                "select *, cast(case when _row_number = 2 then -0.01 else 9.99 end "
                "as decimal(18, 2)) as price, cast(_row_number as integer) as position, "
                "cast(case when _row_number = 2 then -0.01 else 9.99 end as decimal(12, 2)) "
                "as list_price, cast(0.10 as decimal(18, 2)) as discount "
                "from raw.mp_users"
            ),
        )
    )
    frame = fetch_batch(clean_con, suite).frame
    assert (str(frame["price"].dtype), str(frame["position"].dtype)) == ("float64", "int64")

    price, position, same_price, discount = run_suite(clean_con, suite).outcomes
    assert same_price.success  # list_price, not range-checked, is converted too
    assert discount.success  # as a Decimal, 0.10 is less than the double 0.1
    rows = clean_con.execute("select count(*) from raw.mp_users").fetchone()[0]
    assert not price.success and price.unexpected_count == 1
    assert price.unexpected_rows[0]["_row_number"] == 2
    assert not position.success and position.unexpected_count == rows - 3


def test_query_replaces_the_table_as_row_source(clean_con, tmp_path):
    suite = load_suite(
        write_suite(
            tmp_path / "mp_users.json",
            [{"type": "expect_table_row_count_to_be_between", "kwargs": {"max_value": 5}}],
            query="select * from raw.mp_users where _row_number <= 5",
        )
    )

    result = run_suite(clean_con, suite)

    assert result.success
    assert result.row_count == 5


def test_personal_values_are_shape_masked_in_examples(clean_con, suites):
    result = run_mutated(
        clean_con,
        suites["mp_users"],
        "update raw.mp_users set phone = '1391234567x' where _row_number = 1",
    )

    failed = result.outcome("expect_column_values_to_match_regex", "phone")
    assert failed.unexpected_values == ({"value": "9999999999a", "count": 1},)
    assert failed.unexpected_rows[0]["phone"] == "9999999999a"
    assert "139" not in json.dumps(failed.summary())


def test_a_clear_mobile_is_masked_in_any_column(clean_con, suites):
    result = run_mutated(
        clean_con,
        suites["mp_users"],
        "update raw.mp_users set openid = 'call 138-1234-5678' where _row_number = 2",
    )

    failed = result.outcome("expect_column_values_to_match_regex", "openid")
    assert failed.unexpected_values[0]["value"] == "aaaa 999-9999-9999"


def test_shape_mask_keeps_separators_and_hides_content():
    assert shape_mask("+86 138-1234-5678") == "+99 999-9999-9999"
    assert shape_mask("王先生 Ab1") == "*** Aa9"
    assert holds_clear_mobile("王先生 138 1234 5678")
    assert not holds_clear_mobile("oMPClean000000000000000001")


def test_exact_column_set_sees_every_column_of_the_table(clean_con, tmp_path):
    from siyu.ingestion.specs import LINEAGE_COLUMNS, load_source_specs

    columns = [*load_source_specs()["mp_users"].columns, *LINEAGE_COLUMNS]
    suite = load_suite(
        write_suite(
            tmp_path / "mp_users.json",
            [{"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": columns}}],
        )
    )

    assert run_suite(clean_con, suite).success
    drifted = run_mutated(clean_con, suite, "alter table raw.mp_users add column extra varchar")
    assert drifted.failed_labels == [
        "expect_table_columns_to_match_set(openid, unionid, phone, ...)"
    ]


def test_validation_never_hashes_the_cells_of_a_batch(clean_con, suites, monkeypatch):
    """GE's content fingerprint is replaced (runner.without_content_hash); results are unchanged."""
    import pandas as pd

    expected = run_suite(clean_con, suites["mp_users"])

    def refuse(*args, **kwargs):
        raise AssertionError("a batch was hashed cell by cell")

    monkeypatch.setattr(pd.util, "hash_pandas_object", refuse)
    result = run_suite(clean_con, suites["mp_users"])

    assert [o.success for o in result.outcomes] == [o.success for o in expected.outcomes]
    assert [o.observed_value for o in result.outcomes] == [
        o.observed_value for o in expected.outcomes
    ]


def test_suites_of_one_thread_share_a_batch_definition_that_lets_go_of_the_rows(clean_con, suites):
    """The per-thread batch definition is reused, and no validated DataFrame outlives its
    validation (the engine would otherwise hold the last one while the next is fetched)."""
    import gc
    import weakref

    from siyu.quality.batch import fetch_batch
    from siyu.quality.runner import frame_batch_definition, validate_batch

    batch = fetch_batch(clean_con, suites["mp_users"])
    rows = weakref.ref(batch.frame)
    result = validate_batch(batch, suites["mp_users"])
    batch.frame = None
    gc.collect()

    assert result.success
    assert rows() is None, "the validated rows are still held"
    assert frame_batch_definition() is frame_batch_definition()
