"""The HTML report as a Dagster asset (assets.py); its sections are rendered by siyu/reports."""
