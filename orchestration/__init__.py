"""siyu's Dagster code location: ingestion of channel exports, dbt models, checks and schedules."""
