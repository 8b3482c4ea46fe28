"""Data quality: Great Expectations suites (expectations/) run against the warehouse."""
