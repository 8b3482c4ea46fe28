"""Ingestion as Dagster assets (assets.py): one raw.<source> asset per source, loaded by
siyu/ingestion."""
