"""`python -m bench`: how far each phase of the daily refresh is from the limit.

For each scale factor it generates the sample exports into a temporary folder, runs the real
`daily_refresh` job on them (as `make run` does) into a fresh working and published warehouse,
splits the run's wall-clock time into phases from the Dagster event log and dbt's
run_results.json, samples the peak memory of the run, and times the baselines that mark the
physical limit on the same files: DuckDB's own read_csv/read_json of every export (ingestion) and
a round trip on the identity edges the run built (read from DuckDB, scipy's connected_components,
labels written to DuckDB: identity). Optionally each scale's build stops a day early and the
next day is delivered and timed as the daily run. See docs/benchmarks.md and bench/README.md.
"""
