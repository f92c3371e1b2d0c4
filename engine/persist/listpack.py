"""Redis's compact blobs as they appear inside RDB values: listpack (written and read),
intset (written and read), and the older ziplist and zipmap (read only: Redis 7.0 still
loads them from old dumps and converts them).  Malformed input raises RdbError."""
from __future__ import annotations

import struct

from .rdbio import RdbError

_I64_MIN, _I64_MAX = -(1 << 63), (1 << 63) - 1
_pack_i16, _pack_i32, _pack_i64 = struct.Struct("<h").pack, struct.Struct("<i").pack, \
    struct.Struct("<q").pack
_u32 = struct.Struct("<I")
_u16 = struct.Struct("<H")


def str_int(s) -> int | None:
    """The int64 a string spells canonically (string2ll / lpStringToInt64 rules), or None:
    such strings are stored as integers inside listpacks and intsets."""
    n = len(s)
    if not n or n > 20:
        return None
    c = s[0]
    if not (48 <= c <= 57 or c == 45):
        return None
    try:
        v = int(s)
    except ValueError:
        return None
    if _I64_MIN <= v <= _I64_MAX and b"%d" % v == s:
        return v
    return None


# ---------------------------------------------------------------- listpack: writing
def _backlen(n: int) -> bytes:
    if n <= 127:
        return bytes((n,))
    if n < 16383:
        return bytes((n >> 7, (n & 127) | 128))
    if n < 2097151:
        return bytes((n >> 14, ((n >> 7) & 127) | 128, (n & 127) | 128))
    if n < 268435455:
        return bytes((n >> 21, ((n >> 14) & 127) | 128, ((n >> 7) & 127) | 128,
                      (n & 127) | 128))
    return bytes((n >> 28, ((n >> 21) & 127) | 128, ((n >> 14) & 127) | 128,
                  ((n >> 7) & 127) | 128, (n & 127) | 128))


_SMALL = [bytes((v, 1)) for v in range(128)]     # 7-bit uint entries with their backlen


def lp_int(v: int) -> bytes:
    """One integer entry (encoding + backlen), lpEncodeIntegerGetType's choice."""
    if 0 <= v <= 127:
        return _SMALL[v]
    if -4096 <= v <= 4095:
        v &= 0x1FFF
        return bytes((0xC0 | (v >> 8), v & 0xFF, 2))
    if -32768 <= v <= 32767:
        return b"\xf1" + _pack_i16(v) + b"\x03"
    if -8388608 <= v <= 8388607:
        return b"\xf2" + (v & 0xFFFFFF).to_bytes(3, "little") + b"\x04"
    if -2147483648 <= v <= 2147483647:
        return b"\xf3" + _pack_i32(v) + b"\x05"
    return b"\xf4" + _pack_i64(v) + b"\x09"


def lp_str(s) -> bytes:
    """One string entry; a string spelling an int64 is stored as that integer."""
    v = str_int(s) if len(s) <= 20 else None
    if v is not None:
        return lp_int(v)
    n = len(s)
    if n < 64:
        return bytes((0x80 | n,)) + s + bytes((n + 1,))
    if n < 4096:
        return bytes((0xE0 | (n >> 8), n & 0xFF)) + s + _backlen(n + 2)
    return b"\xf0" + _u32.pack(n) + s + _backlen(n + 5)


def lp_build(entries: list) -> bytes:
    """A listpack from encoded entries (lp_str / lp_int results)."""
    body = b"".join(entries)
    n = len(entries)
    return _u32.pack(len(body) + 7) + _u16.pack(n if n < 65535 else 65535) + body + b"\xff"


def lp_encode(items) -> bytes:
    """A listpack of bytes/int items, as lpAppend builds it."""
    return lp_build([lp_int(x) if x.__class__ is int else lp_str(x) for x in items])


# ---------------------------------------------------------------- listpack: reading
def lp_decode(blob, ints: bool = False) -> list:
    """Entries of a listpack as bytes (``ints``: integers stay ints).  Checks the header,
    every entry's bounds and backlen, and the terminator."""
    b = bytes(blob)
    size = len(b)
    if size < 7 or _u32.unpack_from(b, 0)[0] != size or b[-1] != 0xFF:
        raise RdbError("listpack: bad header or terminator")
    count = _u16.unpack_from(b, 4)[0]
    out = []
    append = out.append
    p, end = 6, size - 1
    while p < end:
        c = b[p]
        if c < 0x80:                                    # 7-bit uint
            v, ln = c, 1
        elif c < 0xC0:                                  # 6-bit string
            n = c & 0x3F
            v, ln = b[p + 1:p + 1 + n], 1 + n
        elif c < 0xE0:                                  # 13-bit int
            if p + 1 >= end:
                raise RdbError("listpack: truncated entry")
            v = ((c & 0x1F) << 8) | b[p + 1]
            if v >= 4096:
                v -= 8192
            ln = 2
        elif c < 0xF0:                                  # 12-bit string
            if p + 1 >= end:
                raise RdbError("listpack: truncated entry")
            n = ((c & 0x0F) << 8) | b[p + 1]
            v, ln = b[p + 2:p + 2 + n], 2 + n
        elif c == 0xF0:                                 # 32-bit string
            if p + 5 > end:
                raise RdbError("listpack: truncated entry")
            n = _u32.unpack_from(b, p + 1)[0]
            v, ln = b[p + 5:p + 5 + n], 5 + n
        elif c == 0xF1:
            v, ln = int.from_bytes(b[p + 1:p + 3], "little", signed=True), 3
        elif c == 0xF2:
            v, ln = int.from_bytes(b[p + 1:p + 4], "little", signed=True), 4
        elif c == 0xF3:
            v, ln = int.from_bytes(b[p + 1:p + 5], "little", signed=True), 5
        elif c == 0xF4:
            v, ln = int.from_bytes(b[p + 1:p + 9], "little", signed=True), 9
        else:
            raise RdbError(f"listpack: bad entry encoding 0x{c:02x}")
        bl = 1 if ln <= 127 else len(_backlen(ln))
        nxt = p + ln + bl
        if nxt > end:
            raise RdbError("listpack: entry past the end")
        if bl == 1:
            if b[p + ln] != ln:
                raise RdbError("listpack: bad backlen")
        elif b[p + ln:nxt] != _backlen(ln):
            raise RdbError("listpack: bad backlen")
        append(v if ints or v.__class__ is bytes else b"%d" % v)
        p = nxt
    if count != 65535 and count != len(out):
        raise RdbError("listpack: entry count mismatch")
    return out


# ---------------------------------------------------------------- intset
def intset_encode(values: list) -> bytes:
    """An intset of sorted ints in the smallest width holding them all."""
    lo, hi = (values[0], values[-1]) if values else (0, 0)
    if -32768 <= lo and hi <= 32767:
        w, fmt = 2, "h"
    elif -2147483648 <= lo and hi <= 2147483647:
        w, fmt = 4, "i"
    else:
        w, fmt = 8, "q"
    return struct.pack(f"<II{len(values)}{fmt}", w, len(values), *values)


def intset_decode(blob) -> list:
    b = bytes(blob)
    if len(b) < 8:
        raise RdbError("intset: truncated header")
    w, n = struct.unpack_from("<II", b)
    fmt = {2: "h", 4: "i", 8: "q"}.get(w)
    if fmt is None or len(b) != 8 + w * n:
        raise RdbError("intset: bad encoding or length")
    vals = struct.unpack_from(f"<{n}{fmt}", b, 8)
    for i in range(1, n):
        if vals[i - 1] >= vals[i]:
            raise RdbError("intset: not sorted or duplicate values")
    return [b"%d" % v for v in vals]


# ---------------------------------------------------------------- ziplist (read only)
def ziplist_decode(blob) -> list:
    """Entries of a ziplist as bytes."""
    b = bytes(blob)
    size = len(b)
    if size < 11 or _u32.unpack_from(b, 0)[0] != size or b[-1] != 0xFF:
        raise RdbError("ziplist: bad header or terminator")
    count = _u16.unpack_from(b, 8)[0]
    out = []
    p, end = 10, size - 1
    prev = 0
    while p < end:
        start = p
        if b[p] < 254:
            plen, p = b[p], p + 1
        elif p + 5 <= end:
            plen, p = _u32.unpack_from(b, p + 1)[0], p + 5
        else:
            raise RdbError("ziplist: truncated prevlen")
        if plen != prev:
            raise RdbError("ziplist: bad prevlen")
        if p >= end:
            raise RdbError("ziplist: truncated entry")
        c = b[p]
        kind = c >> 6
        if kind == 0:
            n, p = c & 0x3F, p + 1
        elif kind == 1:
            if p + 2 > end:
                raise RdbError("ziplist: truncated entry")
            n, p = ((c & 0x3F) << 8) | b[p + 1], p + 2
        elif kind == 2:
            if p + 5 > end:
                raise RdbError("ziplist: truncated entry")
            n, p = struct.unpack_from(">I", b, p + 1)[0], p + 5
        else:
            n = -1
            if c == 0xC0:
                w = 2
            elif c == 0xD0:
                w = 4
            elif c == 0xE0:
                w = 8
            elif c == 0xF0:
                w = 3
            elif c == 0xFE:
                w = 1
            elif 0xF1 <= c <= 0xFD:
                w = 0
            else:
                raise RdbError(f"ziplist: bad entry encoding 0x{c:02x}")
            p += 1
            if p + w > end:
                raise RdbError("ziplist: entry past the end")
            v = (c & 0x0F) - 1 if w == 0 else int.from_bytes(b[p:p + w], "little", signed=True)
            out.append(b"%d" % v)
            p += w
        if n >= 0:
            if p + n > end:
                raise RdbError("ziplist: entry past the end")
            out.append(b[p:p + n])
            p += n
        prev = p - start
    if count != 65535 and count != len(out):
        raise RdbError("ziplist: entry count mismatch")
    return out


# ---------------------------------------------------------------- zipmap (read only)
def zipmap_decode(blob) -> list:
    """Field, value, field, value... of a zipmap (Redis < 2.6 small hashes)."""
    b = bytes(blob)
    out = []
    p, end = 1, len(b)

    def length():
        nonlocal p
        if p >= end:
            raise RdbError("zipmap: truncated")
        c = b[p]
        if c < 254:
            p += 1
            return c
        if c == 254 and p + 5 <= end:
            p += 5
            return _u32.unpack_from(b, p - 4)[0]
        raise RdbError("zipmap: bad length")

    while True:
        if p >= end:
            raise RdbError("zipmap: missing terminator")
        if b[p] == 255:
            break
        n = length()
        if p + n > end:
            raise RdbError("zipmap: field past the end")
        out.append(b[p:p + n])
        p += n
        n = length()
        if p >= end:
            raise RdbError("zipmap: truncated")
        free = b[p]
        p += 1
        if p + n + free > end:
            raise RdbError("zipmap: value past the end")
        out.append(b[p:p + n])
        p += n + free
    return out
