"""siyu's engine-dependent macros give the same, hand-computed values on DuckDB and on Spark.

Every case is one expression rendered by dbt for the engine (dispatched macros, dbt's
cross-database macros) and compared with its expected value inside the engine. All cases of an
engine run as one `dbt show` query (DuckDB: the in-memory lint target; Spark: the shared session).
Asia/Shanghai is UTC+08:00 all year (no DST since 1991): every instant below is shifted by 8 h.
"""

from __future__ import annotations

import pytest

from tests.conftest import phone_hash
from tests.spark.conftest import show_rows

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

TS = "cast('{}' as timestamp)"
DATE = "cast('{}' as date)"

# (case, expression (dbt Jinja), expected value as SQL)
CASES = [
    # --- calendar arithmetic across month ends ---
    (
        "days_between over midnight",
        '{{ siyu.days_between("'
        + TS.format("2026-01-31 23:59:00")
        + '", "'
        + TS.format("2026-02-01 00:01:00")
        + '") }}',
        "1",
    ),
    (
        "days_between backwards over February",
        '{{ siyu.days_between("'
        + DATE.format("2026-03-01")
        + '", "'
        + DATE.format("2026-02-28")
        + '") }}',
        "-1",
    ),
    (
        "dbt.dateadd a month from January 31",
        "cast({{ dbt.dateadd('month', 1, \"" + DATE.format("2026-01-31") + '") }} as date)',
        DATE.format("2026-02-28"),
    ),
    (
        "dbt.dateadd a day past February 28",
        "{{ dbt.dateadd('day', 1, \"" + TS.format("2026-02-28 23:30:00") + '") }}',
        TS.format("2026-03-01 23:30:00"),
    ),
    (
        "dbt.datediff months from January 31 to March 1",
        '{{ dbt.datediff("'
        + DATE.format("2026-01-31")
        + '", "'
        + DATE.format("2026-03-01")
        + "\", 'month') }}",
        "2",
    ),
    (
        "dbt.date_trunc month of February 28",
        "cast({{ dbt.date_trunc('month', \"" + TS.format("2026-02-28 23:59:59") + '") }} as date)',
        DATE.format("2026-02-01"),
    ),
    (
        "dbt.date_trunc week of Sunday March 1 (weeks start Monday)",
        "cast({{ dbt.date_trunc('week', \"" + TS.format("2026-03-01 10:00:00") + '") }} as date)',
        DATE.format("2026-02-23"),
    ),
    # --- Asia/Shanghai local times (UTC+8, no DST) ---
    (
        "epoch micros of 2026-01-31 20:30 UTC",
        "{{ siyu.shanghai_ts_from_epoch_micros('1769891400000000') }}",
        TS.format("2026-02-01 04:30:00"),
    ),
    (
        "unix seconds as text, padded",
        "{{ siyu.shanghai_ts_from_unix_seconds(\"' 1767225600 '\") }}",
        TS.format("2026-01-01 08:00:00"),
    ),
    (
        "unix millis as text",
        "{{ siyu.shanghai_ts_from_unix_millis(\"'1769891400123'\") }}",
        TS.format("2026-02-01 04:30:00.123"),
    ),
    ("unix seconds junk", "{{ siyu.shanghai_ts_from_unix_seconds(\"'n/a'\") }}", "null"),
    (
        "rfc3339 at +08:00",
        "{{ siyu.shanghai_ts_from_rfc3339(\"'2026-11-01T10:00:00+08:00'\") }}",
        TS.format("2026-11-01 10:00:00"),
    ),
    (
        "rfc3339 in UTC (Z) across the month end",
        "{{ siyu.shanghai_ts_from_rfc3339(\"'2026-10-31T23:30:00Z'\") }}",
        TS.format("2026-11-01 07:30:00"),
    ),
    (
        "rfc3339 at -04:00 with a fraction",
        "{{ siyu.shanghai_ts_from_rfc3339(\"'2026-06-30T20:00:00.5-04:00'\") }}",
        TS.format("2026-07-01 08:00:00.5"),
    ),
    (
        "rfc3339 without offset is local",
        "{{ siyu.shanghai_ts_from_rfc3339(\"'2026-11-01 10:00:00'\") }}",
        TS.format("2026-11-01 10:00:00"),
    ),
    (
        "local text with slashes and one-digit month",
        "{{ siyu.shanghai_ts_from_local_text(\"'2026/2/28 23:59:59'\") }}",
        TS.format("2026-02-28 23:59:59"),
    ),
    (
        "local text compact date",
        "{{ siyu.shanghai_ts_from_local_text(\"'20260301'\") }}",
        TS.format("2026-03-01 00:00:00"),
    ),
    (
        "local text with fraction",
        "{{ siyu.shanghai_ts_from_local_text(\"'2026-02-28 08:00:00.25'\") }}",
        TS.format("2026-02-28 08:00:00.25"),
    ),
    (
        "local text February 30 is no date",
        "{{ siyu.shanghai_ts_from_local_text(\"'2026-02-30 10:00:00'\") }}",
        "null",
    ),
    ("local text junk", "{{ siyu.shanghai_ts_from_local_text(\"' soon '\") }}", "null"),
    # --- hashing ---
    (
        "sha256_hex of abc",
        "{{ siyu.sha256_hex(\"'abc'\") }}",
        "'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'",
    ),
    (
        "hash_phone of a formatted +86 mobile",
        "{{ siyu.hash_phone(\"'+86 138-1234-5678'\") }}",
        f"'{phone_hash('13812345678')}'",
    ),
    ("hash_phone of a landline is null", "{{ siyu.hash_phone(\"'010-12345678'\") }}", "null"),
    # --- casts of junk text ---
    ("dbt.safe_cast of junk to integer", "{{ dbt.safe_cast(\"'12x'\", 'integer') }}", "null"),
    ("dbt.safe_cast of a number to integer", "{{ dbt.safe_cast(\"'42'\", 'integer') }}", "42"),
    (
        "fen_to_yuan padded",
        "{{ siyu.fen_to_yuan(\"' 12345 '\") }}",
        "cast(123.45 as decimal(18, 2))",
    ),
    ("fen_to_yuan junk", "{{ siyu.fen_to_yuan(\"'12 yuan'\") }}", "null"),
    (
        "text_to_yuan with currency and thousands",
        "{{ siyu.text_to_yuan(\"'¥1,280.50'\") }}",
        "cast(1280.50 as decimal(18, 2))",
    ),
    ("text_to_yuan junk", "{{ siyu.text_to_yuan(\"'1.2.3'\") }}", "null"),
    # --- text cleaning and regular expressions ---
    ("trim_text of ideographic space and tab", "{{ siyu.trim_text(\"'\u3000 abc\t'\") }}", "'abc'"),
    ("trim_text of blanks is null", "{{ siyu.trim_text(\"' \t '\") }}", "null"),
    ("nullif_junk of NULL text", "{{ siyu.nullif_junk(\"' NULL '\") }}", "null"),
    (
        "unwrap_excel_text",
        '{{ siyu.unwrap_excel_text("\'=\\"2890123456789012345\\"\t\'") }}',
        "'2890123456789012345'",
    ),
    ("mask_phone", "{{ siyu.mask_phone(\"'(86)138 1234 5678'\") }}", "'138****5678'"),
    ("phone_kind masked", "{{ siyu.phone_kind(\"'138＊＊＊＊5678'\") }}", "'masked'"),
    ("phone_kind test number", "{{ siyu.phone_kind(\"'13800000000'\") }}", "'test'"),
    ("phone_kind landline", "{{ siyu.phone_kind(\"'+86 010-12345678'\") }}", "'landline'"),
    ("phone_kind with a text guard", "{{ siyu.phone_kind(\"'`13812345678'\") }}", "'mobile'"),
    ("text_matches", "{{ siyu.text_matches(\"'abc123'\", '^[a-z]+[0-9]{3}$') }}", "true"),
    (
        "regexp_replace_all with groups",
        "{{ siyu.regexp_replace_all(\"'2026-11-01'\", "
        "'([0-9]+)-([0-9]+)-([0-9]+)', '\\\\3/\\\\2/\\\\1') }}",
        "'01/11/2026'",
    ),
    (
        "sql_string keeps apostrophe and backslash",
        'length({{ siyu.sql_string("it\'s \\\\d") }})',
        "7",
    ),
    # --- URLs and JSON ---
    (
        "query_param percent-decoded",
        "{{ siyu.query_param(\"'https://x.cn/p?a=1&utm_campaign=CMP%2001'\", 'utm_campaign') }}",
        "'CMP 01'",
    ),
    (
        "query_param nested in an encoded parameter",
        "{{ siyu.query_param(\"'scene=utm_campaign%3DCMP02%26utm_source%3Dwx'\", "
        "'utm_campaign') }}",
        "'CMP02'",
    ),
    (
        "query_param malformed encoding",
        "{{ siyu.query_param(\"'utm_campaign=%E4%ZZ'\", 'utm_campaign') }}",
        "null",
    ),
    (
        "json_string of a $ key",
        '{{ siyu.json_string("\'{\\"$utm_source\\": \\"wx\\"}\'", \'$utm_source\') }}',
        "'wx'",
    ),
    (
        "json_string nested",
        '{{ siyu.json_string("\'{\\"o\\": {\\"k\\": \\"v\\"}}\'", [\'o\', \'k\']) }}',
        "'v'",
    ),
    ("json_string missing key", "{{ siyu.json_string(\"'{\\\"a\\\": 1}'\", 'b') }}", "null"),
    ("json_array_item", '{{ siyu.json_array_item("\'[\\"a\\", {\\"b\\": 1}]\'", 0) }}', "'a'"),
    (
        "json_array_elements of three",
        "(select count(*) from ({{ siyu.json_array_elements("
        "\"(select '[1, 2, 3]' as payload) as arrays\", 'payload') }}) as elements)",
        "3",
    ),
    (
        "json_array_elements of junk",
        "(select count(*) from ({{ siyu.json_array_elements("
        "\"(select 'oops' as payload) as arrays\", 'payload') }}) as elements)",
        "0",
    ),
    # --- aggregates and numbers ---
    (
        "distinct_values_joined",
        "(select {{ siyu.distinct_values_joined('source') }} from ("
        "select 'b' as source union all select 'a' union all select 'b' "
        "union all select null) as sources)",
        "'a,b'",
    ),
    (
        "funnel_median",
        "(select {{ siyu.funnel_median('x') }} from (select 1 as x union all "
        "select 2 union all select 3 union all select 10) as xs)",
        "2.5",
    ),
    (
        "round_double of 2580.345 (binary 2580.34499..)",
        "{{ siyu.round_double('cast(2580.345 as double)', 2) }}",
        "cast(2580.34 as double)",
    ),
    (
        "double_to_decimal of 0.125 rounds half away",
        "{{ siyu.double_to_decimal('cast(0.125 as double)', 2) }}",
        "cast(0.13 as decimal(18, 2))",
    ),
    (
        "roi_ratio 5160.69 / 2",
        "{{ siyu.roi_ratio('5160.69', '2', 2) }}",
        "cast(2580.34 as decimal(18, 2))",
    ),
]


def cases_query() -> str:
    return "\nunion all\n".join(
        f"select '{index:02d}' as case_id, "
        f"case when ({expression}) is not distinct from ({expected}) then 'ok' "
        f"else coalesce(cast(({expression}) as {{{{ dbt.type_string() }}}}), 'null') end "
        "as outcome"
        for index, (_, expression, expected) in enumerate(CASES)
    )


@pytest.fixture(scope="module")
def outcomes_on_duckdb(tmp_path_factory) -> dict[str, str]:
    rows = show_rows(
        cases_query() + "\n-- target lint",
        {"SIYU_TARGET": "lint"},
        tmp_path_factory.mktemp("macros_duckdb"),
    )
    return dict(rows)


@pytest.fixture(scope="module")
def outcomes_on_spark(spark_dbt) -> dict[str, str]:
    return dict(spark_dbt.show(cases_query()))


@pytest.mark.parametrize(("case", "expression", "expected"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_macro_gives_the_hand_computed_value(engine, case, expression, expected, request):
    outcomes = request.getfixturevalue(f"outcomes_on_{engine}")
    case_id = f"{[c[0] for c in CASES].index(case):02d}"
    assert outcomes[case_id] == "ok", (
        f"{engine}: {case} gave {outcomes[case_id]}, expected {expected}"
    )
