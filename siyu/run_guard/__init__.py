"""What stands between a run and the warehouse before any work: one run at a time, the leftovers
of an interrupted run cleaned, and the target folders checked (see docs/failed-runs.md)."""
