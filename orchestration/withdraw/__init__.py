"""Withdrawal as a Dagster job (jobs.py); the withdrawal and its command are siyu/withdraw."""
