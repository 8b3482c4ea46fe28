"""Audit and publish as Dagster assets (assets.py); write-audit-publish itself is siyu/publish."""
