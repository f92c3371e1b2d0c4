"""RDB primitives: length and string encodings, LZF, CRC64 (Jones), as Redis 7.0 writes
and reads them.  Frozen on-disk constants live here, apart from in-memory encodings."""
from __future__ import annotations

import struct

RDB_VERSION = 10

# opcodes
OPCODE_FUNCTION2 = 245
OPCODE_MODULE_AUX = 247
OPCODE_IDLE = 248
OPCODE_FREQ = 249
OPCODE_AUX = 250
OPCODE_RESIZEDB = 251
OPCODE_EXPIRETIME_MS = 252
OPCODE_EXPIRETIME = 253
OPCODE_SELECTDB = 254
OPCODE_EOF = 255

# value types
TYPE_STRING = 0
TYPE_LIST = 1
TYPE_SET = 2
TYPE_ZSET = 3
TYPE_HASH = 4
TYPE_ZSET_2 = 5
TYPE_MODULE_2 = 7
TYPE_HASH_ZIPMAP = 9
TYPE_LIST_ZIPLIST = 10
TYPE_SET_INTSET = 11
TYPE_ZSET_ZIPLIST = 12
TYPE_HASH_ZIPLIST = 13
TYPE_LIST_QUICKLIST = 14
TYPE_STREAM_LISTPACKS = 15
TYPE_HASH_LISTPACK = 16
TYPE_ZSET_LISTPACK = 17
TYPE_LIST_QUICKLIST_2 = 18
TYPE_STREAM_LISTPACKS_2 = 19

# length encodings
_6BIT, _14BIT, _32BIT, _64BIT, _ENCVAL = 0, 1, 0x80, 0x81, 3
ENC_INT8, ENC_INT16, ENC_INT32, ENC_LZF = 0, 1, 2, 3


class RdbError(Exception):
    """Malformed RDB data (the message says what and where)."""


# ------------------------------------------------------------------ CRC64 (Jones, reflected)
_POLY = 0x95AC9329AC4BC9B5      # reflected form of 0xad93d23594c935a9


def _crc_table():
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc_table()


def _crc64_py(data: bytes, crc: int = 0) -> int:
    """Redis's crc64 (Jones polynomial, reflected in and out, init 0, no final xor)."""
    t = _TABLE
    for b in data:
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


try:                    # C speed (CRC-64/REDIS is in anycrc's catalogue); same results
    import anycrc as _anycrc
    _CRC = _anycrc.Model("CRC64-REDIS")

    def crc64(data: bytes, crc: int = 0) -> int:
        """Redis's crc64 of data, continuing from ``crc``."""
        return _CRC.calc(data, crc) if crc else _CRC.calc(data)
except ImportError:     # pragma: no cover - the pure-Python table walk
    crc64 = _crc64_py


# ------------------------------------------------------------------ LZF
def lzf_decompress(data: bytes, expected_len: int) -> bytes:
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        ctrl = data[i]
        i += 1
        if ctrl < 32:                       # literal run of ctrl+1 bytes
            ln = ctrl + 1
            if i + ln > n:
                raise RdbError("LZF: literal run past the end")
            out += data[i:i + ln]
            i += ln
        else:                               # back reference
            ln = ctrl >> 5
            if ln == 7:
                if i >= n:
                    raise RdbError("LZF: truncated back reference")
                ln += data[i]
                i += 1
            if i >= n:
                raise RdbError("LZF: truncated back reference")
            ref = len(out) - ((ctrl & 0x1F) << 8) - data[i] - 1
            i += 1
            if ref < 0:
                raise RdbError("LZF: back reference before the start")
            for k in range(ln + 2):
                out.append(out[ref + k])
    if len(out) != expected_len:
        raise RdbError(f"LZF: decompressed {len(out)} bytes, expected {expected_len}")
    return bytes(out)


def _lzf_compress_py(data: bytes) -> bytes | None:
    """LZF-compress (a simple greedy hash-chain of 3-byte matches); None when it does not
    shrink the data, as Redis then stores it raw."""
    n = len(data)
    if n < 4:
        return None
    out = bytearray()
    lit = bytearray()
    table: dict[bytes, int] = {}
    i = 0
    while i < n:
        ref = table.get(data[i:i + 3]) if i + 3 <= n else None
        if i + 3 <= n:
            table[data[i:i + 3]] = i
        off = i - ref - 1 if ref is not None else -1
        if ref is not None and off < 8192:
            ln = 3
            maxlen = min(264, n - i)
            while ln < maxlen and data[ref + ln] == data[i + ln]:
                ln += 1
            _flush_lit(out, lit)
            code = ln - 2
            if code < 7:
                out.append((code << 5) | (off >> 8))
            else:
                out.append((7 << 5) | (off >> 8))
                out.append(code - 7)
            out.append(off & 0xFF)
            for k in range(i + 1, min(i + ln, n - 2)):
                table[data[k:k + 3]] = k
            i += ln
        else:
            lit.append(data[i])
            if len(lit) == 32:
                _flush_lit(out, lit)
            i += 1
    _flush_lit(out, lit)
    return bytes(out) if len(out) < n else None


try:        # liblzf itself (the library Redis embeds): the same compressed bytes as Redis
    import lzf as _lzf

    def lzf_compress(data: bytes) -> bytes | None:
        """LZF as rdbSaveLzfStringObject does it: None unless it saves >= 4 bytes."""
        n = len(data)       # python-lzf's max_length is one above liblzf's out_len
        return _lzf.compress(bytes(data), n - 5) if n > 5 else None

    def lzf_decompress(data: bytes, expected_len: int, _py=lzf_decompress) -> bytes:
        try:
            out = _lzf.decompress(bytes(data), expected_len)
        except ValueError:
            out = None
        if out is None or len(out) != expected_len:
            return _py(data, expected_len)      # raises RdbError saying what is wrong
        return out
except ImportError:     # pragma: no cover
    def lzf_compress(data: bytes) -> bytes | None:
        comp = _lzf_compress_py(data)
        return comp if comp is not None and len(comp) <= len(data) - 4 else None


def _flush_lit(out: bytearray, lit: bytearray):
    if lit:
        out.append(len(lit) - 1)
        out += lit
        lit.clear()


# ------------------------------------------------------------------ writing
_LEN1 = [bytes((i,)) for i in range(64)]


def enc_len(n: int) -> bytes:
    if n < 64:
        return _LEN1[n]
    if n < 16384:
        return bytes((0x40 | (n >> 8), n & 0xFF))
    if n <= 0xFFFFFFFF:
        return b"\x80" + struct.pack(">I", n)
    return b"\x81" + struct.pack(">Q", n)


def enc_string(s: bytes, compress: bool = True) -> bytes:
    """A string as Redis writes it: small integers as int encodings, long strings LZF."""
    n = len(s)
    if n < 12:
        if n:
            c = s[0]
            if 48 <= c <= 57 or c == 45:
                iv = _as_int(s)
                if iv is not None:
                    if -128 <= iv <= 127:
                        return bytes((0xC0 | ENC_INT8, iv & 0xFF))
                    if -32768 <= iv <= 32767:
                        return bytes([0xC0 | ENC_INT16]) + struct.pack("<h", iv)
                    if -2**31 <= iv < 2**31:
                        return bytes([0xC0 | ENC_INT32]) + struct.pack("<i", iv)
        return _LEN1[n] + s
    if compress and n > 20:
        comp = lzf_compress(s)
        if comp is not None:
            return bytes([0xC0 | ENC_LZF]) + enc_len(len(comp)) + enc_len(n) + comp
    if n < 64:
        return _LEN1[n] + s
    return enc_len(n) + bytes(s)


def _as_int(s: bytes):
    """The integer a string spells in canonical form (Redis's string2ll round trip)."""
    try:
        v = int(s)
    except ValueError:
        return None
    return v if b"%d" % v == s else None


# ------------------------------------------------------------------ reading
class Reader:
    """Sequential reader over a bytes buffer with RDB decoding helpers."""

    def __init__(self, data: bytes, pos: int = 0):
        self.data = data
        self.pos = pos

    def read(self, n: int) -> bytes:
        p = self.pos
        if p + n > len(self.data):
            raise RdbError(f"unexpected end of data at offset {p} (wanted {n} bytes)")
        self.pos = p + n
        return self.data[p:p + n]

    def byte(self) -> int:
        return self.read(1)[0]

    def length(self) -> tuple[int, bool]:
        """(value, is_encoded): is_encoded means a special string encoding follows."""
        b = self.byte()
        kind = b >> 6
        if kind == _6BIT:
            return b & 0x3F, False
        if kind == _14BIT:
            return ((b & 0x3F) << 8) | self.byte(), False
        if kind == _ENCVAL:
            return b & 0x3F, True
        if b == _32BIT:
            return struct.unpack(">I", self.read(4))[0], False
        if b == _64BIT:
            return struct.unpack(">Q", self.read(8))[0], False
        raise RdbError(f"unknown length encoding 0x{b:02x} at offset {self.pos - 1}")

    def plain_length(self) -> int:
        n, enc = self.length()
        if enc:
            raise RdbError(f"unexpected string encoding at offset {self.pos - 1}")
        return n

    def string(self) -> bytes:
        n, enc = self.length()
        if not enc:
            return self.read(n)
        if n == ENC_INT8:
            return b"%d" % struct.unpack("<b", self.read(1))[0]
        if n == ENC_INT16:
            return b"%d" % struct.unpack("<h", self.read(2))[0]
        if n == ENC_INT32:
            return b"%d" % struct.unpack("<i", self.read(4))[0]
        if n == ENC_LZF:
            clen = self.plain_length()
            ulen = self.plain_length()
            if ulen > clen * 100 + 64:     # beyond LZF's ratio: a damaged length
                raise RdbError(f"LZF: implausible length {ulen} at offset {self.pos}")
            return lzf_decompress(self.read(clen), ulen)
        raise RdbError(f"unknown string encoding {n} at offset {self.pos - 1}")


# ------------------------------------------------------------------ DUMP payloads
def dump_footer(body: bytes) -> bytes:
    """body + RDB version (2 bytes LE) + CRC64 of both (8 bytes LE), as DUMP appends."""
    payload = body + struct.pack("<H", RDB_VERSION)
    return payload + struct.pack("<Q", crc64(payload))


def check_dump_footer(payload: bytes) -> bytes | None:
    """The body of a DUMP payload, or None when version or checksum is wrong."""
    if len(payload) < 10:
        return None
    body, ver, crc = payload[:-10], payload[-10:-8], payload[-8:]
    if struct.unpack("<H", ver)[0] > RDB_VERSION:
        return None
    if crc64(payload[:-8]) != struct.unpack("<Q", crc)[0]:     # verifyDumpPayload
        return None
    return body
