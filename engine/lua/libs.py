"""The Lua libraries Redis scripts rely on, implemented in Python for lupa's Lua 5.1:
bit (LuaBitOp), struct (Roberto Ierusalimschy's struct), cjson (lua-cjson 2.1 as Redis
ships it) and cmsgpack (lua-cmsgpack).  Each ``install_*`` puts a table in the globals."""
from __future__ import annotations

import math
import struct as _st

from lupa import lua51


def _tobit(x) -> int:
    """LuaBitOp's normalisation: the number modulo 2^32 as a signed 32-bit integer."""
    if isinstance(x, float):
        if math.isinf(x) or math.isnan(x):
            return 0
        x = int(x)
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x & 0x80000000 else x


def install_bit(L):
    u = lambda x: _tobit(x) & 0xFFFFFFFF   # noqa: E731
    def tohex(x, n=8):
        n = int(n)
        upper = n < 0
        n = min(abs(n), 8)
        s = "%0*x" % (n, u(x) & ((1 << (4 * n)) - 1)) if n else ""
        return (s.upper() if upper else s).encode()

    def rol(x, n):
        n = int(n) & 31
        v = u(x)
        return _tobit((v << n) | (v >> (32 - n)))

    def ror(x, n):
        n = int(n) & 31
        v = u(x)
        return _tobit((v >> n) | (v << (32 - n)))

    def fold(op, init):
        def f(*xs):
            acc = init
            for x in xs:
                acc = op(acc, u(x))
            return _tobit(acc)
        return f

    funcs = {
        b"tobit": lambda x: _tobit(x),
        b"tohex": tohex,
        b"bnot": lambda x: _tobit(~u(x)),
        b"band": fold(lambda a, b: a & b, 0xFFFFFFFF),
        b"bor": fold(lambda a, b: a | b, 0),
        b"bxor": fold(lambda a, b: a ^ b, 0),
        b"lshift": lambda x, n: _tobit(u(x) << (int(n) & 31)),
        b"rshift": lambda x, n: _tobit(u(x) >> (int(n) & 31)),
        b"arshift": lambda x, n: _tobit(_tobit(x) >> (int(n) & 31)),
        b"rol": rol,
        b"ror": ror,
        b"bswap": lambda x: _tobit(int.from_bytes(u(x).to_bytes(4, "little"), "big")),
    }
    L.globals()[b"bit"] = L.table_from(funcs)


# ---------------------------------------------------------------------------- struct
def _struct_formats(fmt: bytes):
    """Yield (code, size) items of a struct format, tracking endianness/alignment."""
    i, n = 0, len(fmt)
    while i < n:
        ch = chr(fmt[i])
        i += 1
        j = i
        while j < n and chr(fmt[j]).isdigit():
            j += 1
        num = int(fmt[i:j]) if j > i else None
        i = j
        yield ch, num


_SIZES = {"b": 1, "B": 1, "h": 2, "H": 2, "l": 8, "L": 8, "T": 8, "i": 4, "I": 4,
          "f": 4, "d": 8}


def install_struct(L):
    def pack(fmt, *args):
        out = bytearray()
        endian = "<"
        args = list(args)
        for ch, num in _struct_formats(fmt):
            if ch in " ":
                continue
            if ch == ">":
                endian = ">"
            elif ch in "<":
                endian = "<"
            elif ch == "!":
                pass
            elif ch == "x":
                out.append(0)
            elif ch in "bBhHlLTiI":
                size = num if ch in "iI" and num else _SIZES[ch]
                v = int(args.pop(0)) & ((1 << (8 * size)) - 1)
                out += v.to_bytes(size, "big" if endian == ">" else "little")
            elif ch in "fd":
                out += _st.pack(endian + ch, float(args.pop(0)))
            elif ch == "s":
                s = args.pop(0)
                out += s + b"\0"
            elif ch == "c":
                s = args.pop(0)
                if num == 0:
                    out += s
                else:
                    size = 1 if num is None else num
                    out += s[:size].ljust(size, b"\0")
            else:
                raise ValueError("invalid format option '%s'" % ch)
        return bytes(out)

    def unpack(fmt, data, pos=1):
        pos = int(pos) - 1
        endian = "<"
        res = []
        for ch, num in _struct_formats(fmt):
            if ch == " ":
                continue
            if ch == ">":
                endian = ">"
            elif ch == "<":
                endian = "<"
            elif ch == "!":
                pass
            elif ch == "x":
                pos += 1
            elif ch in "bBhHlLTiI":
                size = num if ch in "iI" and num else _SIZES[ch]
                chunk = data[pos:pos + size]
                if len(chunk) < size:
                    raise ValueError("data string too short")
                v = int.from_bytes(chunk, "big" if endian == ">" else "little",
                                   signed=ch.islower())
                res.append(v)
                pos += size
            elif ch in "fd":
                size = _SIZES[ch]
                res.append(_st.unpack(endian + ch, data[pos:pos + size])[0])
                pos += size
            elif ch == "s":
                end = data.index(b"\0", pos)
                res.append(data[pos:end])
                pos = end + 1
            elif ch == "c":
                size = 1 if num is None else num
                if size == 0:
                    size = int(res.pop()) if res else 0
                res.append(data[pos:pos + size])
                pos += size
            else:
                raise ValueError("invalid format option '%s'" % ch)
        res.append(pos + 1)
        return tuple(res)

    def size(fmt):
        total = 0
        for ch, num in _struct_formats(fmt):
            if ch in "bBhHlLTiIfd":
                total += num if ch in "iI" and num else _SIZES[ch]
            elif ch == "x":
                total += 1
            elif ch == "c":
                total += 1 if num is None else num
            elif ch == "s":
                raise ValueError("options 's' has no fixed size")
        return total

    L.globals()[b"struct"] = L.table_from({b"pack": pack, b"unpack": unpack, b"size": size})


# ---------------------------------------------------------------------------- cjson
class _Null:
    """cjson.null: a unique value scripts compare against."""


def _fmt_number(v) -> bytes:
    if isinstance(v, bool):
        return b"true" if v else b"false"
    if isinstance(v, int):
        return b"%d" % v
    if math.isinf(v) or math.isnan(v):
        raise ValueError("Cannot serialise number: must not be NaN or Inf")
    if v == int(v) and abs(v) < 1e15:
        return b"%d" % int(v)
    return (b"%.14g" % v)


_ESC = {0x22: b'\\"', 0x5C: b"\\\\", 0x2F: b"\\/", 0x08: b"\\b", 0x0C: b"\\f",
        0x0A: b"\\n", 0x0D: b"\\r", 0x09: b"\\t"}


def _json_str(s: bytes) -> bytes:
    out = bytearray(b'"')
    for ch in s:
        esc = _ESC.get(ch)
        if esc is not None:
            out += esc
        elif ch < 0x20 or ch == 0x7F:
            out += b"\\u%04x" % ch
        else:
            out.append(ch)
    out += b'"'
    return bytes(out)


def install_cjson(L):
    lua_type = lua51.lua_type
    # cjson.null is a lightuserdata NULL in Redis; scripts only compare it with ==, so a
    # unique empty table serves
    null = L.table()

    def encode_value(v, depth=0):
        if depth > 1000:
            raise ValueError("Cannot serialise, excessive nesting (1001)")
        if v is None:
            return b"null"
        if isinstance(v, (bytes, bytearray)):
            return _json_str(bytes(v))
        if isinstance(v, (bool, int, float)):
            return _fmt_number(v)
        if lua_type(v) == "table":
            if v == null:
                return b"null"
            keys = list(v.keys())
            max_index, is_array = 0, True
            for k in keys:
                if isinstance(k, (int, float)) and not isinstance(k, bool) and k == int(k) \
                        and k >= 1:
                    max_index = max(max_index, int(k))
                else:
                    is_array = False
                    break
            if is_array and keys:
                if max_index > 10 and max_index > 2 * len(keys):
                    raise ValueError("Cannot serialise table: excessively sparse array")
                return b"[" + b",".join(encode_value(v[i], depth + 1)
                                        for i in range(1, max_index + 1)) + b"]"
            parts = []
            for k in keys:
                if isinstance(k, (bytes, bytearray)):
                    ks = _json_str(bytes(k))
                elif isinstance(k, (int, float)) and not isinstance(k, bool):
                    ks = b'"' + _fmt_number(k) + b'"'
                else:
                    raise ValueError("Cannot serialise table: table key must be a number "
                                     "or string")
                parts.append(ks + b":" + encode_value(v[k], depth + 1))
            return b"{" + b",".join(parts) + b"}"
        raise ValueError(f"Cannot serialise {lua_type(v) or type(v).__name__}: type not "
                         f"supported")

    def encode(v):
        return encode_value(v)

    def decode(s):
        import json
        if not isinstance(s, (bytes, bytearray)):
            s = _fmt_number(s)
        try:
            obj = json.loads(bytes(s).decode("utf-8", "surrogateescape"),
                             parse_constant=_bad_constant)
        except (ValueError, RecursionError) as e:
            raise ValueError(_json_error(s, e)) from None
        return to_lua(obj)

    def to_lua(obj):
        if obj is None:
            return null
        if isinstance(obj, str):
            return obj.encode("utf-8", "surrogateescape")
        if isinstance(obj, int) and not isinstance(obj, bool) and abs(obj) > 2**53:
            return float(obj)          # a Lua 5.1 number is a double
        if isinstance(obj, (bool, int, float)):
            return obj
        if isinstance(obj, list):
            return L.table_from({i + 1: to_lua(x) for i, x in enumerate(obj)})
        return L.table_from({k.encode("utf-8", "surrogateescape"): to_lua(v)
                             for k, v in obj.items()})

    L.globals()[b"cjson"] = L.table_from({b"encode": encode, b"decode": decode,
                                          b"null": null})


def _bad_constant(name):
    raise ValueError("Expected value but found invalid token at character 1")


def _json_error(s, e) -> str:
    pos = getattr(e, "pos", 0) or 0
    return f"Expected value but found invalid token at character {pos + 1}"


# ---------------------------------------------------------------------------- cmsgpack
def _mp_pack(v, lua_type, out: bytearray):
    if v is None:
        out.append(0xC0)
    elif v is True:
        out.append(0xC3)
    elif v is False:
        out.append(0xC2)
    elif isinstance(v, float) and v == int(v) and not math.isinf(v) and abs(v) < 2**63:
        _mp_int(int(v), out)
    elif isinstance(v, int):
        _mp_int(v, out)
    elif isinstance(v, float):
        f32 = _st.unpack(">f", _st.pack(">f", v))[0] if abs(v) < 3.4e38 else None
        if f32 == v:
            out += b"\xca" + _st.pack(">f", v)
        else:
            out += b"\xcb" + _st.pack(">d", v)
    elif isinstance(v, (bytes, bytearray)):
        n = len(v)
        if n < 32:
            out.append(0xA0 | n)
        elif n < 256:
            out += b"\xd9" + bytes([n])
        elif n < 65536:
            out += b"\xda" + n.to_bytes(2, "big")
        else:
            out += b"\xdb" + n.to_bytes(4, "big")
        out += v
    elif lua_type(v) == "table":
        keys = list(v.keys())
        n = len(keys)
        is_array = all(isinstance(k, (int, float)) and not isinstance(k, bool)
                       and k == int(k) and 1 <= k <= n for k in keys)
        if is_array:
            _mp_head(n, 0x90, b"\xdc", b"\xdd", 16, out)
            for i in range(1, n + 1):
                _mp_pack(v[i], lua_type, out)
        else:
            _mp_head(n, 0x80, b"\xde", b"\xdf", 16, out)
            for k in keys:
                _mp_pack(k, lua_type, out)
                _mp_pack(v[k], lua_type, out)
    else:
        out.append(0xC0)


def _mp_head(n, fix, m16, m32, fixmax, out):
    if n < fixmax:
        out.append(fix | n)
    elif n < 65536:
        out += m16 + n.to_bytes(2, "big")
    else:
        out += m32 + n.to_bytes(4, "big")


def _mp_int(v, out):
    if 0 <= v < 128:
        out.append(v)
    elif -32 <= v < 0:
        out.append(v & 0xFF)
    elif v >= 0:
        for code, size in ((0xCC, 1), (0xCD, 2), (0xCE, 4), (0xCF, 8)):
            if v < 1 << (8 * size):
                out.append(code)
                out += v.to_bytes(size, "big")
                return
    else:
        for code, size in ((0xD0, 1), (0xD1, 2), (0xD2, 4), (0xD3, 8)):
            if v >= -(1 << (8 * size - 1)):
                out.append(code)
                out += v.to_bytes(size, "big", signed=True)
                return


def _mp_unpack(data: bytes, pos: int, L):
    b = data[pos]
    pos += 1
    if b < 0x80:
        return b, pos
    if b >= 0xE0:
        return b - 256, pos
    if 0xA0 <= b <= 0xBF:
        n = b & 0x1F
        return data[pos:pos + n], pos + n
    if 0x90 <= b <= 0x9F:
        return _mp_array(data, pos, b & 0x0F, L)
    if 0x80 <= b <= 0x8F:
        return _mp_map(data, pos, b & 0x0F, L)
    if b == 0xC0:
        return None, pos
    if b in (0xC2, 0xC3):
        return b == 0xC3, pos
    if b in (0xCA, 0xCB):
        size = 4 if b == 0xCA else 8
        return _st.unpack(">f" if size == 4 else ">d", data[pos:pos + size])[0], pos + size
    if 0xCC <= b <= 0xD3:
        size = 1 << ((b - 0xCC) % 4)
        return int.from_bytes(data[pos:pos + size], "big", signed=b >= 0xD0), pos + size
    if b in (0xD9, 0xDA, 0xDB, 0xC4, 0xC5, 0xC6):
        size = {0xD9: 1, 0xDA: 2, 0xDB: 4, 0xC4: 1, 0xC5: 2, 0xC6: 4}[b]
        n = int.from_bytes(data[pos:pos + size], "big")
        pos += size
        return data[pos:pos + n], pos + n
    if b in (0xDC, 0xDD):
        size = 2 if b == 0xDC else 4
        return _mp_array(data, pos + size, int.from_bytes(data[pos:pos + size], "big"), L)
    if b in (0xDE, 0xDF):
        size = 2 if b == 0xDE else 4
        return _mp_map(data, pos + size, int.from_bytes(data[pos:pos + size], "big"), L)
    raise ValueError("Bad data format in input.")


def _mp_array(data, pos, n, L):
    items = {}
    for i in range(n):
        items[i + 1], pos = _mp_unpack(data, pos, L)
    return L.table_from(items), pos


def _mp_map(data, pos, n, L):
    items = {}
    for _ in range(n):
        k, pos = _mp_unpack(data, pos, L)
        items[k], pos = _mp_unpack(data, pos, L)
    return L.table_from(items), pos


def install_cmsgpack(L):
    lua_type = lua51.lua_type

    def pack(*values):
        if not values:
            raise ValueError("MessagePack pack needs input.")
        out = bytearray()
        for v in values:
            _mp_pack(v, lua_type, out)
        return bytes(out)

    def unpack_limit(data, limit=0, offset=0):
        res, pos = [], int(offset)
        limit = int(limit)
        try:
            while pos < len(data) and (limit <= 0 or len(res) < limit):
                v, pos = _mp_unpack(data, pos, L)
                res.append(v)
        except (IndexError, _st.error):
            raise ValueError("Missing bytes in input.") from None
        return res, pos

    def unpack(data):
        res, _ = unpack_limit(data)
        return tuple(res)

    def unpack_one(data, offset=0):
        res, pos = unpack_limit(data, 1, offset)
        return (pos if pos < len(data) else -1, *res)

    def unpack_limit_lua(data, limit, offset=0):
        res, pos = unpack_limit(data, limit, offset)
        return (pos if pos < len(data) else -1, *res)

    L.globals()[b"cmsgpack"] = L.table_from({b"pack": pack, b"unpack": unpack,
                                             b"unpack_one": unpack_one,
                                             b"unpack_limit": unpack_limit_lua})
