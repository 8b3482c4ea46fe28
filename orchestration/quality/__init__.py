"""Great Expectations suites as Dagster asset checks (checks.py); suites run by siyu/quality."""
