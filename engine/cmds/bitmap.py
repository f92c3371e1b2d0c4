"""The bitmap group: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.

Bitmaps are string values; bit 0 is the most significant bit of the first byte.  Writes
grow the string with zero bytes and leave a ``bytearray`` (OBJECT ENCODING raw), edited
in place.  Counting and searching run in C through int.from_bytes/bit_count and regex
searches for the first byte that is not all zeros/ones, never bit by bit in Python.
"""
import re
from zlib import adler32

from engine.commands import KS, Acl, Flag, KeySpec, command
from engine.errors import BIT_OFFSET, NOT_INTEGER, SYNTAX, WRONGTYPE, RedisError
from engine.parsing import to_int

BM = {Acl.BITMAP}
BIT_VALUE = RedisError("ERR bit is not an integer or out of range")
BITPOS_BIT = RedisError("ERR The bit argument must be 1 or 0.")
BITOP_NOT = RedisError("ERR BITOP NOT must be called with a single source key.")
BF_TYPE = RedisError("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 "
                     "is not supported but i64 is.")
BF_OVERFLOW = RedisError("ERR Invalid OVERFLOW type specified")
BF_RO = RedisError("ERR BITFIELD_RO only supports the GET subcommand")

_RO = [KeySpec(1, flags={KS.RO, KS.ACCESS})]
_U64 = (1 << 64) - 1
_I64_MAX = (1 << 63) - 1
_CHUNK = 1 << 20                       # popcount slice: bounds the temporary copies
_ADLER_SPAN = 8189                     # 8189 * 8 + 1 < 65521: adler32's A is the sum
_POPCOUNT = bytes(bin(i).count("1") for i in range(256))
_NOT_ZERO = re.compile(rb"[^\x00]")
_NOT_FF = re.compile(rb"[^\xff]")


def _cstr(arg: bytes) -> bytes:
    """An option as strcasecmp sees it: up to the first NUL, lowercased."""
    if b"\0" in arg:
        arg = arg[:arg.index(b"\0")]
    return arg.lower()


def _i64(x: int) -> int:
    """x as C's int64_t after unsigned wrap-around."""
    x &= _U64
    return x - (1 << 64) if x >> 63 else x


def _read(c, key):
    """lookupKeyRead + checkType(OBJ_STRING): counts keyspace hits and misses."""
    v = c.db.get(key)
    st = c.engine.stats
    if v is None:
        st.keyspace_misses += 1
        return None
    st.keyspace_hits += 1
    cls = v.__class__
    if cls is bytes or cls is bytearray:
        return v
    raise WRONGTYPE


def _bit_offset(c, arg: bytes, bits: int = 0) -> int:
    """getBitOffsetFromArgument: a bit offset, "#N" meaning N * bits for BITFIELD, below
    proto-max-bulk-len bytes."""
    usehash = bits and arg[:1] == b"#"
    n = to_int(arg[1:] if usehash else arg)
    if n is None:
        raise BIT_OFFSET
    if usehash:
        n = _i64(n * bits)
    if n < 0 or (n >> 3) >= c.engine.config["proto-max-bulk-len"]:
        raise BIT_OFFSET
    return n


def _string_for_write(c, key, nbytes: int):
    """lookupStringForBitCommand: the key's string unshared (a bytearray) and grown with
    zeros to nbytes, created if missing; returns (value, grew)."""
    db = c.db
    v = db.get(key)
    if v is None:
        v = bytearray(nbytes)
        db.put(key, v)
        return v, True
    cls = v.__class__
    if cls is not bytearray:
        if cls is not bytes:
            raise WRONGTYPE
        v = bytearray(v)
        db.put(key, v)                         # keeps the TTL
    have = len(v)
    if have < nbytes:
        v += bytes(nbytes - have)
        return v, True
    return v, False


def popcount(v, start: int, end: int) -> int:
    """Set bits in v[start:end].  Long ranges: bytes -> their popcounts (translate),
    summed by zlib.adler32 in spans short enough that its mod-65521 sum is exact."""
    if end - start <= 256:
        return int.from_bytes(v[start:end], "little").bit_count()
    total = 0
    for i in range(start, end, _CHUNK):
        t = v[i:min(i + _CHUNK, end)].translate(_POPCOUNT)
        with memoryview(t) as mv:
            for j in range(0, len(t), _ADLER_SPAN):
                total += (adler32(mv[j:j + _ADLER_SPAN]) & 0xFFFF) - 1
    return total


# ---------------------------------------------------------------- SETBIT / GETBIT
@command("SETBIT", arity=4, group="bitmap", since="2.2.0", flags={Flag.WRITE, Flag.DENYOOM},
         acl=BM, keys=[KeySpec(1, flags={KS.RW, KS.ACCESS, KS.UPDATE})],
         summary="Sets or clears the bit at offset in the string value stored at key",
         complexity="O(1)")
def cmd_setbit(c, key, offset, value):
    """SETBIT key offset value"""
    if offset.isdigit() and len(offset) < 7 and (offset[0] != 48 or len(offset) == 1):
        off = int(offset)                      # below any proto-max-bulk-len
    else:
        off = _bit_offset(c, offset)
    if value == b"1":
        on = 1
    elif value == b"0":
        on = 0
    else:
        on = to_int(value)
        if on is None or on & ~1:
            raise BIT_VALUE
    byte = off >> 3
    db = c.db
    v = db.get(key)
    if v is None:
        v = bytearray(byte + 1)
        db.put(key, v)
        grew = True
    else:
        cls = v.__class__
        if cls is not bytearray:
            if cls is not bytes:
                raise WRONGTYPE
            v = bytearray(v)
            db.put(key, v)                     # keeps the TTL
        n = len(v)
        grew = n <= byte
        if grew:
            v += bytes(byte + 1 - n)
    shift = 7 - (off & 7)
    bv = v[byte]
    old = (bv >> shift) & 1
    if grew or old != on:
        v[byte] = (bv & ~(1 << shift)) | (on << shift)
        c.written(key, b"setbit")
    return old


@command("GETBIT", arity=3, group="bitmap", since="2.2.0", flags={Flag.READONLY, Flag.FAST},
         acl=BM, keys=_RO,
         summary="Returns the bit value at offset in the string value stored at key",
         complexity="O(1)")
def cmd_getbit(c, key, offset):
    """GETBIT key offset"""
    if offset.isdigit() and len(offset) < 7 and (offset[0] != 48 or len(offset) == 1):
        off = int(offset)                      # below any proto-max-bulk-len
    else:
        off = _bit_offset(c, offset)
    v = c.db.get(key)
    st = c.engine.stats
    if v is None:
        st.keyspace_misses += 1
        return 0
    st.keyspace_hits += 1
    cls = v.__class__
    if cls is not bytes and cls is not bytearray:
        raise WRONGTYPE
    byte = off >> 3
    if byte >= len(v):
        return 0
    return (v[byte] >> (7 - (off & 7))) & 1


# ---------------------------------------------------------------- BITCOUNT / BITPOS
def _int_arg(arg: bytes) -> int:
    n = to_int(arg)
    if n is None:
        raise NOT_INTEGER
    return n


def _unit_is_bit(arg: bytes) -> bool:
    u = _cstr(arg)
    if u == b"bit":
        return True
    if u == b"byte":
        return False
    raise SYNTAX


def _clip(start: int, end: int, total: int):
    """Negative indexes from the end, then clamp to [0, total-1] (end may stay < 0
    only when total is 0)."""
    if start < 0:
        start += total
    if end < 0:
        end += total
    if start < 0:
        start = 0
    if end < 0:
        end = 0
    if end >= total:
        end = total - 1
    return start, end


@command("BITCOUNT", arity=-2, group="bitmap", since="2.6.0", flags={Flag.READONLY},
         acl=BM, keys=_RO, summary="Count set bits in a string", complexity="O(N)",
         history=(("7.0.0", "Added the `BYTE|BIT` option."),))
def cmd_bitcount(c, key, *args):
    """BITCOUNT key [start end [BYTE | BIT]]"""
    v = _read(c, key)
    if v is None:
        return 0
    n = len(v)
    na = len(args)
    first_mask = last_mask = 0
    if na == 2 or na == 3:
        start = _int_arg(args[0])
        end = _int_arg(args[1])
        if start < 0 and end < 0 and start > end:
            return 0
        isbit = na == 3 and _unit_is_bit(args[2])
        start, end = _clip(start, end, n << 3 if isbit else n)
        if isbit and start <= end:
            first_mask = ~((1 << (8 - (start & 7))) - 1) & 0xFF
            last_mask = (1 << (7 - (end & 7))) - 1
            start >>= 3
            end >>= 3
    elif na == 0:
        if not n:
            return 0
        return popcount(v, 0, n)
    else:
        raise SYNTAX
    if start > end:
        return 0
    count = popcount(v, start, end + 1)
    if first_mask:
        count -= (v[start] & first_mask).bit_count()
    if last_mask:
        count -= (v[end] & last_mask).bit_count()
    return count


def _bitpos_bytes(p, start: int, count: int, bit: int) -> int:
    """redisBitpos over p[start:start+count]: the first bit equal to `bit`, -1 when
    looking for 1 and there is none, count*8 when looking for 0 and there is none."""
    m = (_NOT_ZERO if bit else _NOT_FF).search(p, start, start + count)
    if m is None:
        return -1 if bit else count << 3
    i = m.start()
    b = p[i] if bit else p[i] ^ 0xFF
    return ((i - start) << 3) + 8 - b.bit_length()


def _bitpos_byte(b: int, bit: int) -> int:
    if not bit:
        b ^= 0xFF
    if not b:
        return -1 if bit else 8
    return 8 - b.bit_length()


@command("BITPOS", arity=-3, group="bitmap", since="2.8.7", flags={Flag.READONLY},
         acl=BM, keys=_RO, summary="Find first bit set or clear in a string",
         complexity="O(N)", history=(("7.0.0", "Added the `BYTE|BIT` option."),))
def cmd_bitpos(c, key, bit, *args):
    """BITPOS key bit [start [end [BYTE | BIT]]]"""
    bit = _int_arg(bit)
    if bit != 0 and bit != 1:
        raise BITPOS_BIT
    p = _read(c, key)
    if p is None:
        return -1 if bit else 0
    strlen = len(p)
    na = len(args)
    end_given = False
    first_mask = last_mask = 0
    if 1 <= na <= 3:
        start = _int_arg(args[0])
        isbit = na == 3 and _unit_is_bit(args[2])
        if na >= 2:
            end = _int_arg(args[1])
            end_given = True
        else:
            end = (strlen << 3) + 7 if isbit else strlen - 1
        start, end = _clip(start, end, strlen << 3 if isbit else strlen)
        if isbit and start <= end:
            first_mask = ~((1 << (8 - (start & 7))) - 1) & 0xFF
            last_mask = (1 << (7 - (end & 7))) - 1
            start >>= 3
            end >>= 3
    elif na == 0:
        start, end = 0, strlen - 1
    else:
        raise SYNTAX
    if start > end:
        return -1
    nbytes = end - start + 1
    pos = None
    if first_mask:
        t = p[start] & ~first_mask if bit else p[start] | first_mask
        if last_mask and nbytes == 1:
            t = t & ~last_mask if bit else t | last_mask
        pos = _bitpos_byte(t & 0xFF, bit)
        if nbytes == 1 or (pos != -1 and pos != 8):
            return _bitpos_result(pos, start, nbytes, bit, end_given)
        start += 1
        nbytes -= 1
    cur = nbytes - (1 if last_mask else 0)
    if cur > 0:
        pos = _bitpos_bytes(p, start, cur, bit)
        if nbytes == cur or (pos != -1 and pos != cur << 3):
            return _bitpos_result(pos, start, nbytes, bit, end_given)
        start += cur
        nbytes -= cur
    t = p[end] & ~last_mask if bit else p[end] | last_mask
    pos = _bitpos_byte(t & 0xFF, bit)
    return _bitpos_result(pos, start, nbytes, bit, end_given)


def _bitpos_result(pos, start, nbytes, bit, end_given):
    # With an explicit end the string is not zero-padded past the range: a 0 found
    # just outside means there is none inside.
    if end_given and bit == 0 and pos == nbytes << 3:
        return -1
    return pos + (start << 3) if pos != -1 else -1


# ---------------------------------------------------------------- BITOP
@command("BITOP", arity=-4, group="bitmap", since="2.6.0", flags={Flag.WRITE, Flag.DENYOOM},
         acl=BM, keys=[KeySpec(2, flags={KS.OW, KS.UPDATE}),
                       KeySpec(3, last=-1, flags={KS.RO, KS.ACCESS})],
         summary="Perform bitwise operations between strings", complexity="O(N)")
def cmd_bitop(c, operation, destkey, *keys):
    """BITOP <AND | OR | XOR | NOT> destkey key [key ...]"""
    op = _cstr(operation)
    if op not in (b"and", b"or", b"xor", b"not"):
        raise SYNTAX
    if op == b"not" and len(keys) != 1:
        raise BITOP_NOT
    vals = [_read(c, k) for k in keys]
    maxlen = max(len(v) if v is not None else 0 for v in vals)
    db = c.db
    if not maxlen:
        if db.delete(destkey):
            c.written(destkey, b"del")
        return 0
    ints = [int.from_bytes(v, "big") << ((maxlen - len(v)) << 3) if v else 0
            for v in vals]
    acc = ints[0]
    if op == b"and":
        for x in ints[1:]:
            acc &= x
    elif op == b"or":
        for x in ints[1:]:
            acc |= x
    elif op == b"xor":
        for x in ints[1:]:
            acc ^= x
    else:
        acc = ~acc & ((1 << (maxlen << 3)) - 1)
    db.set(destkey, bytearray(acc.to_bytes(maxlen, "big")))
    c.written(destkey, b"set")
    return maxlen


# ---------------------------------------------------------------- BITFIELD
_GET, _SET, _INCRBY = 0, 1, 2
_WRAP, _SAT, _FAIL = 0, 1, 2
_OPS = {b"get": (_GET, 2), b"set": (_SET, 3), b"incrby": (_INCRBY, 3)}
_OVERFLOWS = {b"wrap": _WRAP, b"sat": _SAT, b"fail": _FAIL}


def _bf_type(arg: bytes):
    """getBitfieldTypeFromArgument: (signed, bits); the width is read with strlen."""
    sign = arg[:1]
    if sign == b"i":
        signed = True
    elif sign == b"u":
        signed = False
    else:
        raise BF_TYPE
    digits = arg[1:]
    if b"\0" in digits:
        digits = digits[:digits.index(b"\0")]
    bits = to_int(digits)
    if bits is None or bits < 1 or bits > (64 if signed else 63):
        raise BF_TYPE
    return signed, bits


def _get_bits(p, off: int, bits: int) -> int:
    """The unsigned integer of `bits` bits at bit offset `off` (zeros past the end)."""
    b0 = off >> 3
    b1 = (off + bits - 1) >> 3
    chunk = p[b0:b1 + 1]
    n = b1 + 1 - b0
    if len(chunk) < n:
        chunk = bytes(chunk) + bytes(n - len(chunk))
    return (int.from_bytes(chunk, "big") >> (((b1 + 1) << 3) - off - bits)) \
        & ((1 << bits) - 1)


def _set_bits(p: bytearray, off: int, bits: int, value: int):
    b0 = off >> 3
    b1 = (off + bits - 1) >> 3
    shift = ((b1 + 1) << 3) - off - bits
    mask = ((1 << bits) - 1) << shift
    x = int.from_bytes(p[b0:b1 + 1], "big")
    x = (x & ~mask) | ((value << shift) & mask)
    p[b0:b1 + 1] = x.to_bytes(b1 + 1 - b0, "big")


def _unsigned_overflow(value: int, incr: int, bits: int, owtype: int):
    """checkUnsignedBitfieldOverflow: (0 | 1 | -1, the value to store on overflow)."""
    mx = (1 << bits) - 1
    if value > mx or (incr > 0 and incr > _i64(mx - value)):
        return 1, ((value + incr) & mx if owtype == _WRAP else mx)
    if incr < 0 and incr < _i64(-value):
        return -1, ((value + incr) & mx if owtype == _WRAP else 0)
    return 0, None


def _signed_overflow(value: int, incr: int, bits: int, owtype: int):
    """checkSignedBitfieldOverflow with C's int64 arithmetic (wrapping intermediates)."""
    mx = _I64_MAX if bits == 64 else (1 << (bits - 1)) - 1
    mn = -mx - 1
    maxincr = _i64(mx - value)
    minincr = _i64(mn - value)
    if value > mx or (bits != 64 and incr > maxincr) or \
            (value >= 0 and incr > 0 and incr > maxincr):
        over = 1
        limit = mx
    elif value < mn or (bits != 64 and incr < minincr) or \
            (value < 0 and incr < 0 and incr < minincr):
        over = -1
        limit = mn
    else:
        return 0, None
    if owtype == _WRAP:
        r = (value + incr) & ((1 << bits) - 1)
        limit = r - (1 << bits) if r >> (bits - 1) else r
    return over, limit


def _bitfield(c, key, args, readonly_cmd: bool):
    ops = []
    owtype = _WRAP
    readonly = True
    highest = 0
    j, n = 0, len(args)
    while j < n:
        remargs = n - j - 1
        name = _cstr(args[j])
        spec = _OPS.get(name)
        if spec is None or remargs < spec[1]:
            if name == b"overflow" and remargs >= 1:
                ow = _OVERFLOWS.get(_cstr(args[j + 1]))
                if ow is None:
                    raise BF_OVERFLOW
                owtype = ow
                j += 2
                continue
            raise SYNTAX
        opcode = spec[0]
        signed, bits = _bf_type(args[j + 1])
        off = _bit_offset(c, args[j + 2], bits)
        value = 0
        if opcode != _GET:
            readonly = False
            if highest < off + bits - 1:
                highest = off + bits - 1
            value = _int_arg(args[j + 3])
        ops.append((opcode, signed, bits, off, value, owtype))
        j += 4 if opcode != _GET else 3
    if readonly:
        p = _read(c, key)
        grew = False
    else:
        if readonly_cmd:
            raise BF_RO
        p, grew = _string_for_write(c, key, (highest >> 3) + 1)
    out = []
    changes = 0
    for opcode, signed, bits, off, value, ow in ops:
        if opcode == _GET:
            u = _get_bits(p, off, bits) if p is not None else 0
            if signed and u >> (bits - 1):
                u -= 1 << bits
            out.append(u)
            continue
        old = _get_bits(p, off, bits)
        if signed:
            if old >> (bits - 1):
                old -= 1 << bits
            if opcode == _INCRBY:
                over, wrapped = _signed_overflow(old, value, bits, ow)
                new = wrapped if over else old + value
                ret = new
            else:
                over, wrapped = _signed_overflow(value, 0, bits, ow)
                new = wrapped if over else value
                ret = old
        else:
            if opcode == _INCRBY:
                over, wrapped = _unsigned_overflow(old, value, bits, ow)
                new = wrapped if over else old + value
                ret = new
            else:
                uv = value & _U64                # the int64 argument seen as uint64
                over, wrapped = _unsigned_overflow(uv, 0, bits, ow)
                new = wrapped if over else uv
                ret = old
        if over and ow == _FAIL:
            out.append(None)
            continue
        out.append(ret)
        _set_bits(p, off, bits, new)
        if grew or old != new:
            changes += 1
    if changes:
        c.written(key, b"setbit", dirty=changes)
    return out


@command("BITFIELD", arity=-2, group="bitmap", since="3.2.0",
         flags={Flag.WRITE, Flag.DENYOOM}, acl=BM,
         keys=[KeySpec(1, flags={KS.RW, KS.ACCESS, KS.UPDATE, KS.VARIABLE_FLAGS},
                       notes="This command allows both access and modification of the "
                             "key")],
         summary="Perform arbitrary bitfield integer operations on strings",
         complexity="O(1) for each subcommand specified")
def cmd_bitfield(c, key, *args):
    """BITFIELD key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>]
    <SET encoding offset value | INCRBY encoding offset increment> ...]"""
    return _bitfield(c, key, args, False)


@command("BITFIELD_RO", arity=-2, group="bitmap", since="6.0.0",
         flags={Flag.READONLY, Flag.FAST}, acl=BM, keys=_RO,
         summary="Perform arbitrary bitfield integer operations on strings. Read-only "
                 "variant of BITFIELD",
         complexity="O(1) for each subcommand specified")
def cmd_bitfield_ro(c, key, *args):
    """BITFIELD_RO key [GET encoding offset [GET encoding offset ...]]"""
    return _bitfield(c, key, args, True)
