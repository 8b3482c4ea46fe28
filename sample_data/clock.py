"""Time in the generator: unix seconds (int64) everywhere, rendered in Asia/Shanghai local time.

A *day* is the number of local (UTC+8) calendar days since 1970-01-01; it decides which delivery
and which file a record lands in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

SHANGHAI_OFFSET = 8 * 3600
DAY = 86_400
HOUR = 3_600
MINUTE = 60
EPOCH = date(1970, 1, 1)

# Relative weight of each local hour of the day for online activity and for store visits.
ONLINE_HOURS = np.array(
    [3, 2, 1, 1, 1, 1, 2, 4, 6, 7, 8, 9, 11, 10, 8, 8, 8, 9, 10, 12, 14, 15, 13, 7], dtype=float
)
STORE_HOURS = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 7, 9, 8, 7, 8, 9, 10, 11, 12, 10, 6, 0, 0], dtype=float
)


def day_number(day: date) -> int:
    """Local day number of a calendar date."""
    return (day - EPOCH).days


def date_of(day_no: int) -> date:
    return EPOCH + timedelta(days=int(day_no))


def midnight(day_no: int | np.ndarray) -> int | np.ndarray:
    """Unix seconds of local midnight starting the given day(s)."""
    return day_no * DAY - SHANGHAI_OFFSET


def local_day(ts: np.ndarray) -> np.ndarray:
    """Local day number of unix timestamps."""
    return (np.asarray(ts, dtype=np.int64) + SHANGHAI_OFFSET) // DAY


def _iso_seconds(ts: np.ndarray) -> np.ndarray:
    local = (np.asarray(ts, dtype=np.int64) + SHANGHAI_OFFSET).astype("datetime64[s]")
    return np.datetime_as_string(local, unit="s")


def format_local(ts: np.ndarray) -> list[str]:
    """`yyyy-MM-dd HH:mm:ss` in Shanghai local time."""
    return [text.replace("T", " ") for text in _iso_seconds(ts).tolist()]


def format_rfc3339(ts: np.ndarray) -> list[str]:
    """RFC 3339 with the `+08:00` offset, as WeChat Pay's v3 APIs write times."""
    return [text + "+08:00" for text in _iso_seconds(ts).tolist()]


def format_day(days: np.ndarray) -> list[str]:
    """`yyyy-MM-dd` of local day numbers."""
    return np.datetime_as_string(np.asarray(days).astype("datetime64[D]")).tolist()


def format_month(days: np.ndarray) -> list[str]:
    """`yyyy-MM` of local day numbers."""
    months = np.asarray(days).astype("datetime64[D]").astype("datetime64[M]")
    return np.datetime_as_string(months).tolist()


def month_number(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of local day numbers (a sortable file-group key)."""
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def random_time_of_day(rng: np.random.Generator, n: int, hours: np.ndarray) -> np.ndarray:
    """Seconds after local midnight, drawn from an hourly activity profile."""
    hour = rng.choice(24, size=n, p=hours / hours.sum())
    return hour * HOUR + rng.integers(0, HOUR, size=n)


def at_time_of_day(
    rng: np.random.Generator, days: np.ndarray, hours: np.ndarray = ONLINE_HOURS
) -> np.ndarray:
    """Unix timestamps on the given local days at realistic times of day."""
    days = np.asarray(days, dtype=np.int64)
    return midnight(days) + random_time_of_day(rng, len(days), hours)


def retime(
    rng: np.random.Generator,
    ts: np.ndarray,
    hours: np.ndarray = ONLINE_HOURS,
    not_before: np.ndarray | int | None = None,
) -> np.ndarray:
    """Keep each timestamp's local day but redraw its time of day from an activity profile."""
    moved = at_time_of_day(rng, local_day(ts), hours)
    return moved if not_before is None else np.maximum(moved, not_before)


def exponential_days(rng: np.random.Generator, mean_days: float, n: int) -> np.ndarray:
    """Exponential delays in whole seconds with the given mean in days."""
    return (rng.exponential(mean_days * DAY, size=n)).astype(np.int64)


@dataclass(frozen=True)
class Period:
    """The simulated period: history before `start` only holds snapshot records."""

    start: date
    end: date
    history_days: int = 730

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")

    @property
    def start_day(self) -> int:
        return day_number(self.start)

    @property
    def end_day(self) -> int:
        return day_number(self.end)

    @property
    def first_day(self) -> int:
        return self.start_day - self.history_days

    @property
    def start_ts(self) -> int:
        return int(midnight(self.start_day))

    @property
    def end_ts(self) -> int:
        """Exclusive: midnight after the last day."""
        return int(midnight(self.end_day + 1))

    @property
    def history_ts(self) -> int:
        return int(midnight(self.first_day))

    @property
    def days(self) -> int:
        return self.end_day - self.start_day + 1

    def ts_of(self, day: date, seconds: int = 0) -> int:
        return int(midnight(day_number(day))) + seconds
