"""The hyperloglog group: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.

An HLL is a plain string value (engine/hll.py has the format); commands that touch an
existing one first "unshare" it as Redis does (dbUnshareStringValue): a ``bytes`` value
becomes a ``bytearray`` (OBJECT ENCODING raw) that is then edited in place.
"""
import math
import random

from engine import hll
from engine.commands import KS, Acl, Flag, KeySpec, command
from engine.errors import WRONGTYPE, RedisError
from engine.replies import OK, Status

HLL = {Acl.HYPERLOGLOG}
HLL_WRONGTYPE = RedisError("WRONGTYPE Key is not a valid HyperLogLog string value.")
INVALIDOBJ = RedisError("INVALIDOBJ Corrupted HLL object detected")
NO_KEY = RedisError("ERR The specified key does not exist")
NOT_SPARSE = RedisError("ERR HLL encoding is not sparse")


def _lookup(c, key, read: bool):
    """The string at key checked as an HLL (isHLLObjectOrReply), or None; a read lookup
    counts keyspace hits/misses as lookupKeyRead does."""
    v = c.db.get(key)
    if read:
        st = c.engine.stats
        if v is None:
            st.keyspace_misses += 1
            return None
        st.keyspace_hits += 1
    elif v is None:
        return None
    return _checked(v)


def _checked(v):
    cls = v.__class__
    if cls is not bytes and cls is not bytearray:
        raise WRONGTYPE
    if not hll.is_valid(v):
        raise HLL_WRONGTYPE
    return v


def _unshare(c, key, v) -> bytearray:
    if v.__class__ is bytes:
        v = bytearray(v)
        c.db.put(key, v)                       # keeps the TTL
    return v


@command("PFADD", arity=-2, group="hyperloglog", since="2.8.9",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=HLL,
         keys=[KeySpec(1, flags={KS.RW, KS.INSERT})],
         summary="Adds the specified elements to the specified HyperLogLog.",
         complexity="O(1) to add every element.")
def cmd_pfadd(c, key, *elements):
    """PFADD key [element [element ...]]"""
    db = c.db
    v = db.get(key)
    if v is not None and v.__class__ is bytearray and len(v) == hll.DENSE_SIZE \
            and v[4] == hll.DENSE and v.startswith(b"HYLL"):
        updated = hll.dense_add(v, elements)         # the common case: a dense HLL
    else:
        updated = 0
        if v is None:
            v = hll.new_sparse()
            db.put(key, v)
            updated = 1
        else:
            v = _unshare(c, key, _checked(v))
        if elements:
            n, corrupt = hll.add(v, elements, c.engine.config["hll-sparse-max-bytes"])
            if corrupt:
                raise INVALIDOBJ
            updated += n
    if updated:
        v[15] |= 0x80
        c.written(key, b"pfadd", dirty=updated)
        return 1
    return 0


@command("PFCOUNT", arity=-2, group="hyperloglog", since="2.8.9",
         flags={Flag.READONLY, Flag.MAY_REPLICATE}, acl=HLL,
         keys=[KeySpec(1, last=-1, flags={KS.RW, KS.ACCESS},
                       notes="RW because it may change the internal representation of "
                             "the key, and propagate to replicas")],
         summary="Return the approximated cardinality of the set(s) observed by the "
                 "HyperLogLog at key(s).",
         complexity="O(1) with a very small average constant time when called with a "
                    "single key. O(N) with N being the number of keys, and much bigger "
                    "constant times, when called with multiple keys.")
def cmd_pfcount(c, *keys):
    """PFCOUNT key [key ...]"""
    if len(keys) > 1:
        acc = _merge(c, keys)[0]
        return _signed(hll.estimate(hll.raw_histogram(acc.to_bytes(hll.REGS, "little"))))
    key = keys[0]
    v = _lookup(c, key, True)
    if v is None:
        return 0
    v = _unshare(c, key, v)
    card = hll.cached_card(v)
    if card is not None:
        return card
    card = hll.count(v)
    if card is None:
        raise INVALIDOBJ
    hll.store_card(v, card)
    c.written(key, None)                      # the cache update is a change to propagate
    return _signed(card)


def _signed(card: int) -> int:
    """addReplyLongLong of the uint64 count (2**63 after an overflow reads negative)."""
    return card - (1 << 64) if card >> 63 else card


def _merge(c, keys):
    """The registers' max over the HLLs at keys (missing keys count as empty), as a
    little-endian int of one byte per register; and whether any of them was dense."""
    acc = 0
    dense = False
    for k in keys:
        v = _lookup(c, k, True)
        if v is None:
            continue
        if v[4] == hll.DENSE:
            dense = True
        raw = hll.raw_registers(v)
        if raw is None:
            raise INVALIDOBJ
        acc = hll.raw_max(acc, int.from_bytes(raw, "little"))
    return acc, dense


@command("PFMERGE", arity=-2, group="hyperloglog", since="2.8.9",
         flags={Flag.WRITE, Flag.DENYOOM}, acl=HLL,
         keys=[KeySpec(1, flags={KS.RW, KS.ACCESS, KS.INSERT}),
               KeySpec(2, last=-1, flags={KS.RO, KS.ACCESS})],
         summary="Merge N different HyperLogLogs into a single one.",
         complexity="O(N) to merge N HyperLogLogs, but with high constant times.")
def cmd_pfmerge(c, dest, *sources):
    """PFMERGE destkey [sourcekey [sourcekey ...]]"""
    acc, use_dense = _merge(c, (dest,) + sources)
    v = c.db.get(dest)
    if v is None:
        v = hll.new_sparse()
        c.db.put(dest, v)
    else:
        v = _unshare(c, dest, v)
    if use_dense and not hll.to_dense(v):
        raise INVALIDOBJ
    hll.merge_into(v, acc.to_bytes(hll.REGS, "little"),
                   c.engine.config["hll-sparse-max-bytes"])
    v[15] |= 0x80
    c.written(dest, b"pfadd")              # Redis notifies a merge as a pfadd
    return OK


@command("PFDEBUG", arity=3, group="hyperloglog", since="2.8.9",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.ADMIN}, acl=HLL, doc_flags=("syscmd",),
         keys=[KeySpec(2, flags={KS.RW, KS.ACCESS})],
         summary="Internal commands for debugging HyperLogLog values", complexity="N/A")
def cmd_pfdebug(c, subcommand, key):
    """PFDEBUG subcommand key"""
    v = _lookup(c, key, False)
    if v is None:
        raise NO_KEY
    v = _unshare(c, key, v)
    name = subcommand.split(b"\0", 1)[0]
    sub = name.lower()
    if sub == b"getreg":
        if v[4] == hll.SPARSE:
            if not hll.to_dense(v):
                raise INVALIDOBJ
            c.engine.dirty += 1                # force propagation of the conversion
        return list(hll.dense_to_raw(v))
    if sub == b"decode":
        if v[4] != hll.SPARSE:
            raise NOT_SPARSE
        return hll.decode_sparse(v)
    if sub == b"encoding":
        return Status(b"dense" if v[4] == hll.DENSE else b"sparse")
    if sub == b"todense":
        if v[4] == hll.SPARSE:
            if not hll.to_dense(v):
                raise INVALIDOBJ
            c.engine.dirty += 1
            return 1
        return 0
    raise RedisError("ERR Unknown PFDEBUG subcommand '%s'"
                     % name.decode("utf-8", "replace"))


# PFSELFTEST runs Redis's two checks on a smaller scale (Redis adds 10M elements, which
# would take minutes here): register access round trips, and the estimate's error at
# powers of ten for a sparse and a dense HLL fed the same elements.
_TEST_CYCLES = 20
_TEST_MAX = 100_000


@command("PFSELFTEST", arity=1, group="hyperloglog", since="2.8.9", flags={Flag.ADMIN},
         acl=HLL, doc_flags=("syscmd",),
         summary="An internal command for testing HyperLogLog values", complexity="N/A")
def cmd_pfselftest(c):
    """PFSELFTEST"""
    rng = random.Random()
    dense = bytearray(hll.DENSE_SIZE)
    for _ in range(_TEST_CYCLES):
        vals = bytes(rng.getrandbits(6) for _ in range(hll.REGS))
        for i, r in enumerate(vals):
            hll.dense_put(dense, i, r)
        got = hll.dense_to_raw(dense)
        if got != vals:
            i = next(k for k in range(hll.REGS) if got[k] != vals[k])
            raise RedisError("TESTFAILED Register %d should be %d but is %d"
                             % (i, vals[i], got[i]))
    dense = bytearray(b"HYLL" + bytes(hll.DENSE_SIZE - 4))
    sparse = hll.new_sparse()
    max_bytes = c.engine.config["hll-sparse-max-bytes"]
    relerr = 1.04 / hll.REGS ** 0.5
    seed = rng.getrandbits(64)
    checkpoint = 1
    for j in range(1, _TEST_MAX + 1):
        ele = ((j ^ seed) & ((1 << 64) - 1)).to_bytes(8, "little")
        hll.add(dense, (ele,), max_bytes)
        hll.add(sparse, (ele,), max_bytes)
        if j != checkpoint:
            continue
        if j < max_bytes / 2 and sparse[4] != hll.SPARSE:
            raise RedisError("TESTFAILED sparse encoding not used")
        card = hll.count(dense)
        if card != hll.count(sparse):
            raise RedisError("TESTFAILED dense/sparse disagree")
        maxerr = 1 if j == 10 else math.ceil(relerr * 6 * checkpoint)
        if abs(checkpoint - card) > maxerr:
            raise RedisError("TESTFAILED Too big error. card:%d abserr:%d"
                             % (checkpoint, abs(checkpoint - card)))
        checkpoint *= 10
    return OK
