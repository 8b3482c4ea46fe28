"""The console logger of siyu's runs: Dagster's own, with very long lines cut short.

Some of Dagster's messages list every output a step did not yield: a run that skips the dbt build
(siyu/dbt/build_inputs.py) gets one listing all ~360 dbt tests, some 40,000 characters
on a single console line. The console shows the first MAX_CONSOLE_CHARS characters and says how
many were left out; the event log (the Dagster UI) keeps every message whole.
"""

from __future__ import annotations

import logging

import dagster as dg

MAX_CONSOLE_CHARS = 2_000


def shorten_long_message(record: logging.LogRecord) -> bool:
    """A logging filter that cuts the record's message; it never drops a record."""
    message = record.getMessage()
    if len(message) > MAX_CONSOLE_CHARS:
        left_out = len(message) - MAX_CONSOLE_CHARS
        shown = message[:MAX_CONSOLE_CHARS]
        record.msg = f"{shown}... ({left_out:,} more characters in the event log)"
        record.args = None
    return True


@dg.logger(
    dg.colored_console_logger.config_schema,
    description="Dagster's colored console logger, with lines cut at 2,000 characters.",
)
def console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = dg.colored_console_logger.logger_fn(init_context)
    logger.addFilter(shorten_long_message)
    return logger
