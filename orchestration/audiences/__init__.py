"""Audience export as a Dagster asset (assets.py); the export itself is siyu/audiences."""
