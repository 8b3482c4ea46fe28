"""The console logger cuts very long lines and leaves the rest alone."""

import logging

import dagster as dg

from orchestration.loggers import MAX_CONSOLE_CHARS, console_logger, shorten_long_message


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("dagster", logging.INFO, __file__, 1, message, args or None, None)


def test_a_long_message_is_cut_and_says_how_much_was_left_out():
    long = record("outputs %s", "x" * 5_000)
    assert shorten_long_message(long)  # never dropped
    shown = long.getMessage()
    assert shown.startswith("outputs xxx")
    assert shown.endswith(f"... ({5_008 - MAX_CONSOLE_CHARS:,} more characters in the event log)")
    assert len(shown) < MAX_CONSOLE_CHARS + 60


def test_a_short_message_is_left_as_it_is():
    short = record("loaded %d rows", 12)
    assert shorten_long_message(short)
    assert short.getMessage() == "loaded 12 rows"


def test_the_console_logger_carries_the_filter():
    logger = console_logger.logger_fn(
        dg.build_init_logger_context(logger_config={"log_level": "INFO", "name": "dagster"})
    )
    assert shorten_long_message in logger.filters
