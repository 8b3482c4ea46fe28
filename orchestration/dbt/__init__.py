"""dbt models as Dagster assets (dagster-dbt); dbt tests become asset checks."""
