"""siyu's tests.

pytest-xdist starts each worker of `make test` with `python -c`, so the worker's `__main__` has
neither a spec nor a file. pyspark's Connect package, which Great Expectations imports, takes
exactly that for a doctest run and exits the process (`pyspark/sql/connect/utils.py`,
check_dependencies). The worker's `__main__` is given the file of the xdist module it runs.
"""

import os
import sys

_main = sys.modules["__main__"]
_bare_main = getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__")
if os.environ.get("PYTEST_XDIST_WORKER") and _bare_main:
    import xdist.remote

    _main.__file__ = xdist.remote.__file__
