"""The run guard in Dagster's runs: the executor that passes it before the first step
(executor.py); the guard itself is siyu/run_guard."""
