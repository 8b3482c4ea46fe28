"""What siyu's dbt step needs besides Dagster: whether to build (build_inputs, incremental), the
dbt executable (child_process), the hash key plugin, and pruning dbt's target folders."""
