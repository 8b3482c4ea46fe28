"""Ingestion of channel export files from the landing folder into `raw.<source>` tables."""
