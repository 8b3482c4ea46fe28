"""`make test` shares the tests between pytest-xdist workers a folder at a time."""

from tests.conftest import worker_group


def test_a_folder_is_one_group_whatever_the_module_or_parameters():
    spark = worker_group("tests/spark/test_cross_engine_equality.py::test_mart[customer_tags]")
    assert (
        spark == worker_group("tests/spark/test_portable_macros.py::test_dateadd") == "tests/spark"
    )
    assert worker_group("tests/bench/test_bench_smoke.py::test_chart") == "tests/bench"


def test_a_top_level_module_is_a_group_of_its_own():
    end_to_end = worker_group("tests/test_end_to_end.py::test_the_job_succeeds")
    assert end_to_end == worker_group("tests/test_end_to_end.py::test_summary")
    assert end_to_end != worker_group("tests/test_run_summary.py::test_warnings")
