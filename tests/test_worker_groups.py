"""`make test` shares the tests between pytest-xdist workers a folder at a time."""

from collections import OrderedDict

from siyu.settings import REPO_ROOT
from tests.conftest import SLOWEST_GROUPS, FolderScheduling, worker_group


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


def test_the_slowest_groups_are_folders_of_tests():
    for group in SLOWEST_GROUPS:
        assert (REPO_ROOT / group).is_dir(), group


class RecordingNode:
    def __init__(self) -> None:
        self.sent: list[list[int]] = []

    def send_runtest_some(self, indexes: list[int]) -> None:
        self.sent.append(indexes)


def test_a_slow_group_is_handed_out_before_groups_queued_ahead_of_it():
    collection = ["tests/test_a.py::t", "tests/tags/test_b.py::t", "tests/faults/test_c.py::t"]
    scheduler = object.__new__(FolderScheduling)
    node = RecordingNode()
    scheduler.registered_collections = {node: collection}
    scheduler.assigned_work = {}
    scheduler.workqueue = OrderedDict(
        (worker_group(nodeid), {nodeid: False}) for nodeid in collection
    )
    for _ in collection:
        scheduler._assign_work_unit(node)
    # faults before tags (SLOWEST_GROUPS' order), then the rest in queue order
    assert node.sent == [[2], [1], [0]]
