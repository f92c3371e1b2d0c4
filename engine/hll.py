"""HyperLogLog exactly as Redis 7.0 stores and counts it (hyperloglog.c).

The value is a plain string: a 16-byte header ("HYLL", encoding byte 0 = dense / 1 =
sparse, 3 unused bytes, the cached cardinality as 8 little-endian bytes whose top bit
means "stale") followed by the registers.  Dense: 16384 6-bit registers packed LSB first
(12288 bytes).  Sparse: run-length opcodes ZERO 00xxxxxx (1..64 zeros), XZERO 01xxxxxx
yyyyyyyy (1..16384 zeros), VAL 1vvvvvxx (1..4 registers of value 1..32).

The sparse bytes depend on the order of updates (adjacent VAL opcodes are merged only in a
5-opcode window), so PFADD/PFMERGE replay Redis's in-place edit algorithm byte for byte.
To avoid Redis's linear opcode scan per element (slow in Python), a decoded index of the
opcodes (code and first register of each, positions of the 2-byte XZEROs) is cached per
live string; an edit is then a bisect plus a small slice replacement on the bytearray.
The cache (which also keeps each value's register histogram current, for PFCOUNT after
PFADD) is checked against a snapshot of the body, so a string changed by anything else
(SETRANGE, APPEND, SETBIT) is simply re-decoded.  A sparse body whose runs do not cover
exactly 16384 registers (a corrupted string) takes a slow path that transliterates the C
code, null terminator included, so even corrupt values behave as in Redis and never crash.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from struct import Struct

HDR = 16
P = 14
Q = 64 - P                          # 50
REGS = 1 << P                       # 16384
DENSE_BYTES = REGS * 6 // 8         # 12288
DENSE_SIZE = HDR + DENSE_BYTES      # 12304
DENSE, SPARSE = 0, 1
SEED = 0xadc83b19
VAL_MAX = 32                        # HLL_SPARSE_VAL_MAX_VALUE
ALPHA_INF = 0.721347520444481703680

_M = 0xc6a4a7935bd1e995
_MASK = (1 << 64) - 1
_BIT50 = 1 << Q


# ---------------------------------------------------------------- hashing
_INIT = [SEED ^ ((n * _M) & _MASK) for n in range(256)]
_BLOCKS: dict = {}                  # block count -> Struct(...).unpack_from


def _blocks(nb: int):
    f = _BLOCKS.get(nb)
    if f is None:
        f = _BLOCKS[nb] = Struct("<%dQ" % nb).unpack_from
    return f


def murmur64a(key, seed: int = SEED) -> int:
    """MurmurHash64A as Redis has it (endian neutral, 8-byte blocks little endian)."""
    n = len(key)
    h = _INIT[n] if n < 256 and seed == SEED else seed ^ ((n * _M) & _MASK)
    if n >= 8:
        m, mask = _M, _MASK
        for k in _blocks(n >> 3)(key):
            k = (k * m) & mask
            h = ((h ^ (((k ^ (k >> 47)) * m) & mask)) * m) & mask
        r = n & 7
        if r:
            h = ((h ^ int.from_bytes(key[n - r:], "little")) * _M) & _MASK
    elif n:
        h = ((h ^ int.from_bytes(key, "little")) * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    return h ^ (h >> 47)


def pat_len(ele) -> tuple[int, int]:
    """hllPatLen: (register index, length of the 000..1 pattern, 1..51)."""
    h = murmur64a(ele)
    x = (h >> P) | _BIT50
    return h & (REGS - 1), (x & -x).bit_length()


# ---------------------------------------------------------------- header
def new_sparse() -> bytearray:
    """createHLLObject: an empty sparse HLL (one XZERO:16384), cache valid and 0."""
    return bytearray(b"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff")


def is_valid(v) -> bool:
    """isHLLObjectOrReply's checks on a string."""
    n = len(v)
    if n < HDR or not v.startswith(b"HYLL"):
        return False
    enc = v[4]
    return enc == SPARSE or (enc == DENSE and n == DENSE_SIZE)


def cached_card(v):
    """The cached cardinality, or None when the stale bit is set."""
    if v[15] & 0x80:
        return None
    return int.from_bytes(v[8:16], "little")


def store_card(v: bytearray, card: int):
    v[8:16] = card.to_bytes(8, "little")


# ---------------------------------------------------------------- dense registers
def dense_add(v: bytearray, elements) -> int:
    """hllDenseAdd for each element: how many registers grew.  A cached histogram of
    this value (see count) is kept in step, with its snapshot of the registers."""
    e = _CACHE.get(id(v))
    if e is not None and (e.obj is not v or e.__class__ is not _Dense or not e.same(v)):
        del _CACHE[id(v)]
        e = None
    hist = snap = None
    if e is not None:
        hist, snap = e.hist, e.snap
    updated = 0
    mm = murmur64a
    for ele in elements:
        h = mm(ele)
        x = (h >> P) | _BIT50
        cnt = (x & -x).bit_length()
        pos = (h & (REGS - 1)) * 6
        b = HDR + (pos >> 3)
        fb = pos & 7
        if fb <= 2:
            old = (v[b] >> fb) & 63
            if cnt <= old:
                continue
            v[b] = (v[b] & ~(63 << fb)) | (cnt << fb)
        else:
            b1 = v[b + 1]
            old = ((v[b] >> fb) | (b1 << (8 - fb))) & 63
            if cnt <= old:
                continue
            v[b] = (v[b] & ~(63 << fb) & 0xFF) | ((cnt << fb) & 0xFF)
            r = 8 - fb
            v[b + 1] = (b1 & ~(63 >> r)) | (cnt >> r)
            if snap is not None:
                snap[b + 1 - HDR] = v[b + 1]
        updated += 1
        if hist is not None:
            hist[old] -= 1
            hist[cnt] += 1
            snap[b - HDR] = v[b]
    return updated


def dense_set(v: bytearray, index: int, val: int) -> int:
    """hllDenseSet: raise register `index` to `val`; 1 when it changed."""
    pos = index * 6
    b = HDR + (pos >> 3)
    fb = pos & 7
    if fb <= 2:
        if val > (v[b] >> fb) & 63:
            v[b] = (v[b] & ~(63 << fb)) | (val << fb)
            return 1
        return 0
    b1 = v[b + 1]
    if val > ((v[b] >> fb) | (b1 << (8 - fb))) & 63:
        v[b] = (v[b] & ~(63 << fb) & 0xFF) | ((val << fb) & 0xFF)
        r = 8 - fb
        v[b + 1] = (b1 & ~(63 >> r)) | (val >> r)
        return 1
    return 0


def dense_put(v: bytearray, index: int, val: int):
    """HLL_DENSE_SET_REGISTER: store val (0..63) in register `index` unconditionally."""
    pos = index * 6
    b = HDR + (pos >> 3)
    fb = pos & 7
    v[b] = (v[b] & ~(63 << fb) & 0xFF) | ((val << fb) & 0xFF)
    if fb > 2:
        r = 8 - fb
        v[b + 1] = (v[b + 1] & ~(63 >> r)) | (val >> r)


def dense_get(v, index: int) -> int:
    pos = index * 6
    b = HDR + (pos >> 3)
    fb = pos & 7
    if fb <= 2:
        return (v[b] >> fb) & 63
    return ((v[b] >> fb) | (v[b + 1] << (8 - fb))) & 63


# Register i of 4k..4k+3 lives in bytes 3k..3k+2; whole-array conversions work on the
# three byte streams (every third byte) as big integers: lane-wise shifts and masks in C.
def _lanes(byte: int, n: int) -> int:
    return int.from_bytes(bytes([byte]) * n, "little")


_Q = REGS // 4                      # 4096 lanes per stream
_L03, _L0F, _L3F = _lanes(0x03, _Q), _lanes(0x0F, _Q), _lanes(0x3F, _Q)
_LC0, _LF0, _LFC = _lanes(0xC0, _Q), _lanes(0xF0, _Q), _lanes(0xFC, _Q)
_H80 = _lanes(0x80, REGS)
_AND63 = bytes(i & 63 for i in range(256))
_SHR2 = bytes(i >> 2 for i in range(256))


def dense_to_raw(v) -> bytearray:
    """The 16384 registers of a dense HLL, one per byte, in register order."""
    regs = bytes(v[HDR:DENSE_SIZE])
    s0, s1, s2 = regs[0::3], regs[1::3], regs[2::3]
    b0 = int.from_bytes(s0, "little")
    b1 = int.from_bytes(s1, "little")
    b2 = int.from_bytes(s2, "little")
    out = bytearray(REGS)
    out[0::4] = s0.translate(_AND63)
    out[1::4] = (((b0 >> 6) & _L03) | ((b1 & _L0F) << 2)).to_bytes(_Q, "little")
    out[2::4] = (((b1 >> 4) & _L0F) | ((b2 & _L03) << 4)).to_bytes(_Q, "little")
    out[3::4] = s2.translate(_SHR2)
    return out


def raw_to_dense(raw) -> bytearray:
    """Pack one-register-per-byte values (each <= 63) into the 12288 dense bytes."""
    r0 = int.from_bytes(raw[0::4], "little")
    r1 = int.from_bytes(raw[1::4], "little")
    r2 = int.from_bytes(raw[2::4], "little")
    r3 = int.from_bytes(raw[3::4], "little")
    out = bytearray(DENSE_BYTES)
    out[0::3] = (r0 | ((r1 << 6) & _LC0)).to_bytes(_Q, "little")
    out[1::3] = (((r1 >> 2) & _L0F) | ((r2 << 4) & _LF0)).to_bytes(_Q, "little")
    out[2::3] = (((r2 >> 4) & _L03) | ((r3 << 2) & _LFC)).to_bytes(_Q, "little")
    return out


def raw_max(a: int, b: int) -> int:
    """Lane-wise max of two register arrays held as little-endian ints (lanes <= 63)."""
    ge = (((a | _H80) - b) & _H80) >> 7          # lane 1 where a >= b
    m = ge * 255
    return (a & m) | (b & ~m)


# ---------------------------------------------------------------- sparse opcodes
def _val(v: int, n: int) -> int:
    return 0x80 | ((v - 1) << 2) | (n - 1)


def _zero_code(n: int) -> int:
    """A run of n zero registers as one code: ZERO when it fits 64, else XZERO."""
    if n > 64:
        n -= 1
        return 0x4000 | n               # (0x40 | n >> 8) << 8 | n & 0xff
    return n - 1


def _code_bytes(code: int) -> bytes:
    return code.to_bytes(2, "big") if code > 0xFF else _BYTE[code]


_BYTE = [bytes([i]) for i in range(256)]
_RUN = {b: bytes([((b >> 2) & 31) + 1]) * ((b & 3) + 1) for b in range(0x80, 0x100)}


class _Sparse:
    """Decoded opcodes of a valid sparse body: ``ops[i]`` is the opcode (its byte, or
    b0 << 8 | b1 for an XZERO), ``starts[i]`` its first register, ``xz`` the first
    registers of the XZERO opcodes (so opcode i starts at byte HDR + i + #XZERO before);
    ``hist`` the register histogram once a count needed it, kept up to date by edits."""
    __slots__ = ("obj", "body", "ops", "starts", "xz", "hist")

    def __init__(self, obj, body, ops, starts, xz):
        self.obj = obj
        self.body = body
        self.ops = ops
        self.starts = starts
        self.xz = xz
        self.hist = None


class _Dense:
    """The register histogram of a dense value and the registers it was taken from;
    PFADD updates both, so counting after adding costs no full pass."""
    __slots__ = ("obj", "snap", "hist")

    def __init__(self, obj, snap, hist):
        self.obj = obj
        self.snap = snap
        self.hist = hist

    def same(self, v) -> bool:
        with memoryview(v) as mv:
            return self.snap == mv[HDR:]


# id(value) -> _Sparse | _Dense, holding the value itself so the id stays its own
_CACHE: dict = {}
_CACHE_MAX = 64


def _remember(v, e):
    if len(_CACHE) >= _CACHE_MAX:
        del _CACHE[next(iter(_CACHE))]
    _CACHE[id(v)] = e


def _decode(body) -> tuple | None:
    """(ops, starts, xz) for a sparse body covering exactly 16384 registers, else None."""
    ops, starts, xz = [], [], []
    first = 0
    p = 0
    n = len(body)
    while p < n:
        b = body[p]
        if b & 0x80:
            ops.append(b)
            starts.append(first)
            first += (b & 3) + 1
            p += 1
        elif b & 0x40:
            if p + 1 >= n:
                return None                 # a truncated XZERO: leave it to the slow path
            code = (b << 8) | body[p + 1]
            ops.append(code)
            starts.append(first)
            xz.append(first)
            first += (code & 0x3FFF) + 1
            p += 2
        else:
            ops.append(b)
            starts.append(first)
            first += b + 1
            p += 1
    if first != REGS:
        return None
    return ops, starts, xz


def _index(v: bytearray) -> _Sparse | None:
    """The cached decode of v's sparse body (built on a miss); None when invalid."""
    e = _CACHE.get(id(v))
    body = bytes(v[HDR:])
    if e is not None and e.obj is v and e.__class__ is _Sparse and e.body == body:
        return e
    d = _decode(body)
    if d is None:
        _CACHE.pop(id(v), None)
        return None
    e = _Sparse(v, body, *d)
    _remember(v, e)
    return e


def _forget(v):
    e = _CACHE.get(id(v))
    if e is not None and e.obj is v:
        del _CACHE[id(v)]


def _sparse_set_fast(e: _Sparse, v: bytearray, index: int, count: int,
                     max_bytes: int) -> int:
    """hllSparseSet on an indexed valid body: 1 updated, 0 no change, 2 must promote."""
    if count > VAL_MAX:
        return 2
    ops, starts, xz = e.ops, e.starts, e.xz
    i = bisect_right(starts, index) - 1
    code = ops[i]
    first = starts[i]
    if code > 0xFF:                                  # XZERO
        runlen = (code & 0x3FFF) + 1
        kind = 2
    elif code & 0x80:                                # VAL
        oldval = ((code >> 2) & 31) + 1
        if oldval >= count:
            return 0                                 # case A
        runlen = (code & 3) + 1
        kind = 1
    else:                                            # ZERO
        runlen = code + 1
        kind = 0
    xb = bisect_left(xz, first)                      # XZEROs before opcode i
    hist = e.hist
    if hist is not None:
        hist[oldval if kind == 1 else 0] -= 1
        hist[count] += 1
    if runlen == 1 and kind != 2:                    # cases B and C
        new = _val(count, 1)
        v[HDR + i + xb] = new
        ops[i] = new
    else:                                            # case D: split the opcode
        last = first + runlen - 1
        seq, seqst = [], []
        if kind == 1:
            if index != first:
                seq.append(_val(oldval, index - first))
                seqst.append(first)
            seq.append(_val(count, 1))
            seqst.append(index)
            if index != last:
                seq.append(_val(oldval, last - index))
                seqst.append(index + 1)
            newx = ()
        else:
            newx = []
            if index != first:
                z = _zero_code(index - first)
                seq.append(z)
                seqst.append(first)
                if z > 0xFF:
                    newx.append(first)
            seq.append(_val(count, 1))
            seqst.append(index)
            if index != last:
                z = _zero_code(last - index)
                seq.append(z)
                seqst.append(index + 1)
                if z > 0xFF:
                    newx.append(index + 1)
        seqbytes = b"".join([_code_bytes(x) for x in seq])
        oldlen = 2 if kind == 2 else 1
        if len(seqbytes) > oldlen and len(v) + len(seqbytes) - oldlen > max_bytes:
            return 2
        off = HDR + i + xb
        v[off:off + oldlen] = seqbytes
        ops[i:i + 1] = seq
        starts[i:i + 1] = seqst
        if kind == 2 or newx:
            xz[xb:xb + (kind == 2)] = newx
    # Step 4: merge adjacent equal VALs, scanning up to 5 opcodes from the previous one
    j = i - 1 if i > 0 else 0
    n = len(ops)
    scan = 5
    while j < n and scan:
        scan -= 1
        code = ops[j]
        if code < 0x80 or code > 0xFF:
            j += 1
            continue
        if j + 1 < n:
            nxt = ops[j + 1]
            if 0x80 <= nxt <= 0xFF and (code ^ nxt) & 0x7C == 0:
                ln = (code & 3) + (nxt & 3) + 2
                if ln <= 4:
                    new = (code & 0xFC) | (ln - 1)
                    off = HDR + j + bisect_left(xz, starts[j])
                    v[off + 1] = new
                    del v[off]
                    ops[j + 1] = new
                    del ops[j]
                    del starts[j + 1]
                    n -= 1
                    continue
        j += 1
    v[15] |= 0x80
    return 1


# ---------------------------------------------------------------- slow (corrupt) sparse
def _slow_sparse_set(v: bytearray, index: int, count: int, max_bytes: int) -> int:
    """hllSparseSet transliterated on the sds bytes plus its null terminator (only for
    bodies that do not decode to exactly 16384 registers): 1, 0, -1, or 2 = promote."""
    if count > VAL_MAX:
        return 2
    length = len(v)
    buf = v + bytes(16)                  # null terminator and room to grow
    p, end = HDR, length
    first, span, prev = 0, 0, None
    while p < end:
        b = buf[p]
        oplen = 1
        if b & 0xC0 == 0:
            span = (b & 0x3F) + 1
        elif b & 0x80:
            span = (b & 3) + 1
        else:
            span = (((b & 0x3F) << 8) | buf[p + 1]) + 1
            oplen = 2
        if index <= first + span - 1:
            break
        prev = p
        p += oplen
        first += span
    if span == 0 or p >= end:
        return -1
    b = buf[p]
    is_x = b & 0xC0 == 0x40
    nxt = p + (2 if is_x else 1)
    if nxt >= end:
        nxt = None
    if b & 0x80:
        runlen = (b & 3) + 1
        oldval = ((b >> 2) & 31) + 1
        if oldval >= count:
            return 0
        single = runlen == 1
    elif is_x:
        runlen = (((b & 0x3F) << 8) | buf[p + 1]) + 1
        single = False
    else:
        runlen = (b & 0x3F) + 1
        single = runlen == 1
    if single:
        buf[p] = _val(count, 1)
    else:
        last = first + span - 1
        seq = []
        if b & 0x80:
            if index != first:
                seq.append(_val(oldval, index - first))
            seq.append(_val(count, 1))
            if index != last:
                seq.append(_val(oldval, last - index))
        else:
            if index != first:
                seq.append(_zero_code(index - first))
            seq.append(_val(count, 1))
            if index != last:
                seq.append(_zero_code(last - index))
        seqb = b"".join([_code_bytes(x) for x in seq])
        delta = len(seqb) - (2 if is_x else 1)
        if delta > 0 and length + delta > max_bytes:
            return 2
        if delta and nxt is not None:
            buf[nxt + delta:end + delta] = buf[nxt:end]
        length += delta
        buf[p:p + len(seqb)] = seqb
        buf[length] = 0
        end += delta
    p = prev if prev is not None else HDR
    scan = 5
    while p < end and scan:
        scan -= 1
        b = buf[p]
        if b & 0xC0 == 0x40:
            p += 2
            continue
        if b & 0xC0 == 0:
            p += 1
            continue
        if p + 1 < end and buf[p + 1] & 0x80:
            b2 = buf[p + 1]
            if (b ^ b2) & 0x7C == 0:
                ln = (b & 3) + (b2 & 3) + 2
                if ln <= 4:
                    buf[p + 1] = (b & 0xFC) | (ln - 1)
                    buf[p:end] = buf[p + 1:end + 1]
                    length -= 1
                    buf[length] = 0
                    end -= 1
                    continue
        p += 1
    buf[15] |= 0x80
    v[:] = buf[:length]
    return 1


def _slow_to_raw(body) -> bytearray | None:
    """hllMerge / hllSparseToDense on any sparse body: the registers, or None."""
    raw = bytearray(REGS)
    i = p = 0
    n = len(body)
    while p < n:
        b = body[p]
        if b & 0x80:
            runlen = (b & 3) + 1
            if i + runlen > REGS:
                break
            raw[i:i + runlen] = _RUN[b]
            i += runlen
            p += 1
        elif b & 0x40:
            i += (((b & 0x3F) << 8) | (body[p + 1] if p + 1 < n else 0)) + 1
            p += 2
        else:
            i += b + 1
            p += 1
    return raw if i == REGS else None


def _slow_histo(body):
    """hllSparseRegHisto: (histogram, invalid)."""
    hist = [0] * 64
    idx = p = 0
    n = len(body)
    while p < n:
        b = body[p]
        if b & 0x80:
            r = (b & 3) + 1
            hist[((b >> 2) & 31) + 1] += r
            idx += r
            p += 1
        elif b & 0x40:
            r = (((b & 0x3F) << 8) | (body[p + 1] if p + 1 < n else 0)) + 1
            hist[0] += r
            idx += r
            p += 2
        else:
            hist[0] += b + 1
            idx += b + 1
            p += 1
    return hist, idx != REGS


# ---------------------------------------------------------------- conversions
def _sparse_raw(v) -> bytearray | None:
    e = _index(v)
    if e is None:
        return _slow_to_raw(v[HDR:])
    raw = bytearray(REGS)
    for code, s in zip(e.ops, e.starts):
        if 0x80 <= code <= 0xFF:
            raw[s:s + (code & 3) + 1] = _RUN[code]
    return raw


def raw_registers(v) -> bytearray | None:
    """All registers of a valid-looking HLL, one per byte; None for a corrupt sparse."""
    if v[4] == DENSE:
        return dense_to_raw(v)
    return _sparse_raw(v)


def to_dense(v: bytearray) -> bool:
    """hllSparseToDense in place (header kept, encoding byte set); False if corrupt."""
    if v[4] == DENSE:
        return True
    raw = _sparse_raw(v)
    if raw is None:
        return False
    _forget(v)
    hdr = v[:HDR]
    hdr[4] = DENSE
    v[:] = hdr + raw_to_dense(raw)
    return True


# ---------------------------------------------------------------- add / merge
def add(v: bytearray, elements, max_bytes: int) -> tuple[int, bool]:
    """PFADD's loop: (registers updated, corrupt) -- on corrupt Redis stops right there,
    keeping what the earlier elements changed."""
    if v[4] == DENSE:
        return dense_add(v, elements), False
    updated = 0
    e = _index(v)
    for k, ele in enumerate(elements):
        index, count = pat_len(ele)
        if e is not None:
            r = _sparse_set_fast(e, v, index, count, max_bytes)
        else:
            r = _slow_sparse_set(v, index, count, max_bytes)
            if r < 0:
                return updated, True
        if r == 2:
            if not to_dense(v):
                return updated, True
            dense_set(v, index, count)
            return updated + 1 + dense_add(v, elements[k + 1:]), False
        updated += r
    if e is not None:
        e.body = bytes(v[HDR:])
    return updated, False


def merge_into(v: bytearray, raw: bytes, max_bytes: int):
    """PFMERGE's write: raise v's registers to `raw` (which already covers v's own),
    register by register in order while sparse, as Redis does."""
    if v[4] == DENSE:
        v[HDR:] = raw_to_dense(raw)
        return
    e = _index(v)
    for m in re.finditer(rb"[^\x00]", raw):
        j = m.start()
        if e is not None:
            r = _sparse_set_fast(e, v, j, raw[j], max_bytes)
        else:
            r = _slow_sparse_set(v, j, raw[j], max_bytes)
        if r == 2:
            if to_dense(v):
                v[HDR:] = raw_to_dense(raw)
            return
    if e is not None:
        e.body = bytes(v[HDR:])


# ---------------------------------------------------------------- counting
def _sigma(x: float) -> float:
    if x == 1.0:
        return math.inf
    y = 1.0
    z = x
    while True:
        x *= x
        zp = z
        z += x * y
        y += y
        if zp == z:
            return z


def _tau(x: float) -> float:
    if x == 0.0 or x == 1.0:
        return 0.0
    y = 1.0
    z = 1 - x
    while True:
        x = math.sqrt(x)
        zp = z
        y *= 0.5
        z -= (1 - x) ** 2 * y
        if zp == z:
            return z / 3


def estimate(hist) -> int:
    """hllCount's estimator (Ertl's improved raw estimator) from a register histogram,
    as the uint64 Redis computes (2**63 when the estimate overflows a long long)."""
    m = float(REGS)
    z = m * _tau((m - hist[Q + 1]) / m)
    for j in range(Q, 0, -1):
        z += hist[j]
        z *= 0.5
    z += m * _sigma(hist[0] / m)
    e = ALPHA_INF * m * m / z if z else math.inf
    if not e < 9.223372036854775808e18:
        return 1 << 63                  # llroundl overflows to LLONG_MIN, read as uint64
    f = math.floor(e)
    return int(f) + (1 if e - f >= 0.5 else 0)     # llroundl: halves away from zero


def raw_histogram(raw) -> list:
    hist = [0] * 64
    left = REGS
    for x in range(64):
        n = raw.count(x)
        if n:
            hist[x] = n
            left -= n
            if not left:
                break
    return hist


def _dense_hist(v) -> list:
    """The register histogram of a dense value (registers in any order will do)."""
    regs = bytes(v[HDR:DENSE_SIZE])
    s0, s1, s2 = regs[0::3], regs[1::3], regs[2::3]
    b0 = int.from_bytes(s0, "little")
    b1 = int.from_bytes(s1, "little")
    b2 = int.from_bytes(s2, "little")
    return raw_histogram(b"".join((
        s0.translate(_AND63),
        (((b0 >> 6) & _L03) | ((b1 & _L0F) << 2)).to_bytes(_Q, "little"),
        (((b1 >> 4) & _L0F) | ((b2 & _L03) << 4)).to_bytes(_Q, "little"),
        s2.translate(_SHR2))))


def count(v) -> int | None:
    """hllCount of one HLL string; None when the sparse body is invalid.  The histogram
    is cached with the value (and kept current by PFADD), so a count after an add does
    not rescan all the registers."""
    if v[4] == DENSE:
        e = _CACHE.get(id(v))
        if e is not None and e.obj is v and e.__class__ is _Dense and e.same(v):
            return estimate(e.hist)
        hist = _dense_hist(v)
        if v.__class__ is bytearray:
            _CACHE.pop(id(v), None)
            _remember(v, _Dense(v, bytearray(v[HDR:]), hist))
        return estimate(hist)
    e = _index(v)
    if e is None:
        hist, invalid = _slow_histo(v[HDR:])
        return None if invalid else estimate(hist)
    if e.hist is None:
        hist = [0] * 64
        for code, n in Counter(e.ops).items():
            if code > 0xFF:
                hist[0] += ((code & 0x3FFF) + 1) * n
            elif code & 0x80:
                hist[((code >> 2) & 31) + 1] += ((code & 3) + 1) * n
            else:
                hist[0] += (code + 1) * n
        e.hist = hist
    return estimate(e.hist)


def decode_sparse(v) -> bytes:
    """PFDEBUG DECODE: the opcodes as "z:N Z:N v:V,N", trimmed."""
    out = []
    body = v[HDR:]
    p, n = 0, len(body)
    while p < n:
        b = body[p]
        if b & 0xC0 == 0:
            out.append(b"z:%d" % ((b & 0x3F) + 1))
            p += 1
        elif b & 0x80 == 0:
            out.append(b"Z:%d" % ((((b & 0x3F) << 8) | (body[p + 1] if p + 1 < n else 0))
                                  + 1))
            p += 2
        else:
            out.append(b"v:%d,%d" % (((b >> 2) & 31) + 1, (b & 3) + 1))
            p += 1
    return b" ".join(out)
