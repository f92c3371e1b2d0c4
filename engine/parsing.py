"""Argument parsing with Redis's exact rules (string2ll, strtod) and errors."""
from __future__ import annotations

import math

from .errors import NOT_FLOAT, NOT_INTEGER, RedisError

LLONG_MIN, LLONG_MAX = -2**63, 2**63 - 1


def to_int(b: bytes) -> int | None:
    """Redis's string2ll: optional '-', no '+', no spaces, no leading zeros, 64-bit."""
    n = len(b)
    if n == 0 or n > 20:
        return None
    if b.isdigit():
        if b[0] == 48 and n > 1:
            return None
        v = int(b)
    elif b[0] == 45 and n > 1 and b[1:].isdigit() and b[1] != 48:
        v = int(b)
    else:
        return None
    return v if LLONG_MIN <= v <= LLONG_MAX else None


def parse_int(b: bytes, error: RedisError = NOT_INTEGER) -> int:
    v = to_int(b)
    if v is None:
        raise error
    return v


def to_float(b: bytes) -> float | None:
    """Redis's string2ld/strtold: no spaces, no NaN, inf allowed."""
    if not b or b[0] in b" \t\n\r\v\f" or b[-1] in b" \t\n\r\v\f":
        return None
    try:
        v = float(b)
    except ValueError:
        return None
    if v != v or b"_" in b:
        return None
    return v


def parse_float(b: bytes, error: RedisError = NOT_FLOAT) -> float:
    v = to_float(b)
    if v is None:
        raise error
    return v


def format_float_human(v: float) -> bytes:
    """INCRBYFLOAT / HINCRBYFLOAT output: shortest text that reads back, no exponent
    for ordinary magnitudes, as Redis's ld2string(LD_STR_HUMAN) prints."""
    if math.isinf(v):
        return b"inf" if v > 0 else b"-inf"
    if v == int(v) and abs(v) < 1e17:
        return b"%d" % int(v)
    s = repr(v)
    if "e" in s or "E" in s:
        s = ("%.17f" % v).rstrip("0").rstrip(".")
    return s.encode()
