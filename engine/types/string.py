"""String values: ``bytes`` (as SET stored it) or ``bytearray`` (modified in place).

Also Redis's ``long double`` arithmetic for INCRBYFLOAT (and HINCRBYFLOAT): redis-server
on x86-64 parses with strtold into an 80-bit extended double (64-bit significand), adds,
and prints with ``%.17Lf`` minus trailing zeros.  Python floats are 53-bit, so the
results differ (10.5 + 0.1 -> "10.6", 3010.6 + 1e-5 -> "3010.60001000000000015").  We
emulate the format exactly with integers: a finite value is ``(m, e)`` = m * 2**e,
|m| < 2**64, rounded to nearest-even like the FPU; +-inf is a float.
"""
from __future__ import annotations

import re

from engine.parsing import to_int

EMBSTR_LIMIT = 44      # OBJ_ENCODING_EMBSTR_SIZE_LIMIT


def string_encoding(v) -> bytes:
    """OBJECT ENCODING of a string: int when it is a canonical 64-bit integer of at most
    20 chars, embstr up to 44 bytes, raw beyond and for strings changed in place.
    (Redis reports embstr for an integer-looking INCRBYFLOAT result; we say int.)"""
    if v.__class__ is bytearray:
        return b"raw"
    if len(v) <= 20 and to_int(v) is not None:
        return b"int"
    return b"embstr" if len(v) <= EMBSTR_LIMIT else b"raw"


# ---------------------------------------------------------------- 80-bit long double
_MIN_E = -16445          # exponent of the least subnormal: 2**-16445
_MAX_E = 16384 - 64      # m * 2**e with m < 2**64 stays below 2**16384
_TOP = 1 << 64
_HALF = 1 << 63
MAX_LD_CHARS = 5 * 1024  # MAX_LONG_DOUBLE_CHARS: string2ld rejects inputs this long

_DEC = re.compile(rb"([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?")
_HEX = re.compile(rb"([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))"
                  rb"(?:[pP]([+-]?\d+))?")
_INF = re.compile(rb"([+-]?)(?i:inf|infinity)")
_CHUNK = 2000            # digits per step, under Python's int<->str digit limit


def _int10(digits: bytes) -> int:
    if len(digits) <= 4000:
        return int(digits)
    cut = len(digits) - _CHUNK
    return _int10(digits[:cut]) * 10 ** _CHUNK + int(digits[cut:])


def _str10(n: int) -> bytes:
    if n.bit_length() < 13000:
        return b"%d" % n
    hi, lo = divmod(n, 10 ** _CHUNK)
    return _str10(hi) + (b"%d" % lo).rjust(_CHUNK, b"0")


def _round(num: int, den: int):
    """The long double nearest to num/den (den > 0): (m, e), or None on overflow."""
    if num == 0:
        return (0, 0)
    neg = num < 0
    if neg:
        num = -num
    e = max(num.bit_length() - den.bit_length() - 64, _MIN_E)
    while True:
        if e >= 0:
            q, r = divmod(num, den << e)
            d = den << e
        else:
            q, r = divmod(num << -e, den)
            d = den
        if q < _TOP:
            break
        e += 1
    r2 = r << 1
    if r2 > d or (r2 == d and q & 1):
        q += 1
        if q == _TOP:
            q, e = _HALF, e + 1
    if e > _MAX_E:
        return None
    return (-q if neg else q, e)


def ld_parse(s) -> tuple | float | None:
    """string2ld: strtold over the whole string, no surrounding space, no NaN, and
    neither overflow nor underflow to zero.  None when Redis would reject it."""
    n = len(s)
    if n == 0 or n >= MAX_LD_CHARS:
        return None
    m = _DEC.fullmatch(s)
    if m is not None:
        sign, ip, fp, only_fp, ex = m.groups()
        if only_fp is not None:
            ip, fp = b"", only_fp
        digits = (ip + fp).lstrip(b"0")
        if not digits:
            return (0, 0)
        x = (int(ex) if ex else 0) - len(fp)
        mag = len(digits) + x                    # value < 10**mag
        if mag > 4940:
            return None                          # overflow: ERANGE, HUGE_VAL
        if mag < -4960:
            return None                          # underflow to zero: ERANGE
        d = _int10(digits)
        if sign == b"-":
            d = -d
        v = _round(d * 10 ** x, 1) if x >= 0 else _round(d, 10 ** -x)
    else:
        m = _HEX.fullmatch(s)
        if m is None:
            m = _INF.fullmatch(s)
            if m is None:
                return None
            return float("-inf") if m.group(1) == b"-" else float("inf")
        sign, ip, fp, only_fp, ex = m.groups()
        if only_fp is not None:
            ip, fp = b"", only_fp
        digits = (ip + fp).lstrip(b"0")
        if not digits:
            return (0, 0)
        x = (int(ex) if ex else 0) - 4 * len(fp)
        mag = 4 * len(digits) + x
        if mag > 16400 or mag < -16500:
            return None
        d = int(digits, 16)
        if sign == b"-":
            d = -d
        v = _round(d << x, 1) if x >= 0 else _round(d, 1 << -x)
    if v is None or v[0] == 0:                   # overflow, or a nonzero value lost
        return None
    return v


def ld_add(a, b):
    """a + b rounded to long double; None when the sum is NaN or infinite."""
    if a.__class__ is float or b.__class__ is float:
        return None                              # inf + x is inf, inf - inf is NaN
    (ma, ea), (mb, eb) = a, b
    if not ma:
        return b
    if not mb:
        return a
    e = ea if ea < eb else eb
    num = (ma << (ea - e)) + (mb << (eb - e))
    return _round(num << e, 1) if e >= 0 else _round(num, 1 << -e)


def ld_format(v) -> bytes:
    """ld2string(LD_STR_HUMAN): "%.17Lf", trailing zeros and '.' dropped, -0 -> 0."""
    m, e = v
    if m == 0:
        return b"0"
    neg = m < 0
    if neg:
        m = -m
    if e >= 0:
        out = _str10(m << e)
    else:
        d = 1 << -e
        q, r = divmod(m * 10 ** 17, d)
        r2 = r << 1
        if r2 > d or (r2 == d and q & 1):       # printf rounds ties to even
            q += 1
        if not q:
            return b"0"
        ip, fp = divmod(q, 10 ** 17)
        fs = (b"%017d" % fp).rstrip(b"0")
        out = _str10(ip) + b"." + fs if fs else _str10(ip)
    return b"-" + out if neg else out


def ld_from_int(n: int):
    return _round(n, 1)
