"""Deletion requests as a Dagster step (assets.py); the erasure itself is siyu/erasure."""
