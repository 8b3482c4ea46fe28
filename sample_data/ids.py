"""Random identifiers, generated vectorised and guaranteed unique where a platform makes them so."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable

import numpy as np

URL_SAFE = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"))
ALNUM = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
HEX = np.array(list("0123456789abcdef"))
DIGITS = np.array(list("0123456789"))

# Mobile prefixes of the three carriers (all 1[3-9]x).
MOBILE_PREFIXES = np.array(
    [
        130,
        131,
        132,
        133,
        135,
        136,
        137,
        138,
        139,
        150,
        151,
        152,
        155,
        156,
        157,
        158,
        159,
        166,
        176,
        177,
        180,
        181,
        182,
        183,
        185,
        186,
        187,
        188,
        189,
        191,
        198,
        199,
    ],
    dtype=np.int64,
)


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per concern, so adding one never shifts the others."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def random_strings(
    rng: np.random.Generator, n: int, length: int, alphabet: np.ndarray = URL_SAFE
) -> np.ndarray:
    """`n` random strings of `length` characters (numpy unicode array)."""
    if n == 0:
        return np.array([], dtype=f"<U{max(length, 1)}")
    chars = alphabet[rng.integers(0, len(alphabet), size=(n, length))]
    return np.ascontiguousarray(chars).view(f"<U{length}").ravel()


def _dedupe(
    values: np.ndarray, regenerate: Callable[[int], np.ndarray], forbidden: Iterable = ()
) -> np.ndarray:
    """Redraw duplicates (keeping the first occurrence) and forbidden values until none remain."""
    values = values.copy()
    forbidden_values = np.array(list(forbidden), dtype=values.dtype)
    for _ in range(100):
        _, first = np.unique(values, return_index=True)
        bad = np.ones(len(values), dtype=bool)
        bad[first] = False
        if len(forbidden_values):
            bad |= np.isin(values, forbidden_values)
        if not bad.any():
            return values
        values[bad] = regenerate(int(bad.sum()))
    raise RuntimeError("could not draw unique identifiers")


def unique_tokens(
    rng: np.random.Generator,
    n: int,
    prefix: str,
    length: int,
    alphabet: np.ndarray = URL_SAFE,
) -> np.ndarray:
    """Unique `prefix` + `length` random characters (object array of str)."""
    body = _dedupe(
        random_strings(rng, n, length, alphabet),
        lambda k: random_strings(rng, k, length, alphabet),
    )
    return np.array([prefix + text for text in body.tolist()], dtype=object)


def unique_numbers(
    rng: np.random.Generator, n: int, low: int, high: int, forbidden: Iterable[int] = ()
) -> np.ndarray:
    """Unique random integers in [low, high)."""
    return _dedupe(
        rng.integers(low, high, size=n, dtype=np.int64),
        lambda k: rng.integers(low, high, size=k, dtype=np.int64),
        forbidden,
    )


def unique_mobiles(rng: np.random.Generator, n: int, forbidden: Iterable[int] = ()) -> np.ndarray:
    """Unique 11-digit mainland mobile numbers (int64)."""

    def draw(k: int) -> np.ndarray:
        prefix = rng.choice(MOBILE_PREFIXES, size=k)
        return prefix * 100_000_000 + rng.integers(0, 100_000_000, size=k, dtype=np.int64)

    return _dedupe(draw(n), draw, forbidden)


def assign_where(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """An object array the length of `mask` holding `values` where mask is set, else None."""
    out = np.full(len(mask), None, dtype=object)
    out[np.flatnonzero(mask)] = values
    return out


def uuid_like(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unique lower-case 8-4-4-4-12 hex device ids (object array of str)."""
    body = _dedupe(random_strings(rng, n, 32, HEX), lambda k: random_strings(rng, k, 32, HEX))
    return np.array(
        [f"{t[:8]}-{t[8:12]}-{t[12:16]}-{t[16:20]}-{t[20:]}" for t in body.tolist()], dtype=object
    )


def mask_mobile(phone: int | str) -> str:
    """`138****5678`, how marketplaces show a buyer's mobile."""
    text = str(phone)
    return f"{text[:3]}****{text[-4:]}"
