"""DEBUG DIGEST / DIGEST-VALUE: Redis's dataset digest (debug.c), so the same data gives
the same 40 hex digits on both servers.  Unordered collections xor their elements'
digests; ordered ones (lists, streams) chain them with mixDigest."""
from __future__ import annotations

from hashlib import sha1

from engine.types.hash import Hash
from engine.types.list import List
from engine.types.set import Set
from engine.types.zset import ZSet

_ZERO = bytes(20)
_TYPES = {List: 1, Set: 2, ZSet: 3, Hash: 4}     # OBJ_LIST .. OBJ_HASH; strings 0, stream 6


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(20, "big")


def xor_digest(digest: bytes, data: bytes) -> bytes:
    return _xor(digest, sha1(data).digest())


def mix_digest(digest: bytes, data: bytes) -> bytes:
    return sha1(xor_digest(digest, data)).digest()


def _score(s: float) -> bytes:
    if s != s:
        return b"nan"
    if s in (float("inf"), float("-inf")):
        return b"inf" if s > 0 else b"-inf"
    return b"%.17g" % s


def object_digest(digest: bytes, v, has_expire: bool) -> bytes:
    """xorObjectDigest: mix the value of one key into ``digest``."""
    cls = v.__class__
    if cls is bytes or cls is bytearray:
        digest = mix_digest(digest, b"\x00\x00\x00\x00")
        digest = mix_digest(digest, bytes(v))
    else:
        t = _TYPES.get(cls, 6)
        digest = mix_digest(digest, t.to_bytes(4, "big"))
        if cls is List:
            for e in v:
                digest = mix_digest(digest, e)
        elif cls is Set:
            for m in v:
                digest = xor_digest(digest, m)
        elif cls is ZSet:
            for s, m in v.order:
                ed = mix_digest(_ZERO, m)
                ed = mix_digest(ed, _score(s))
                digest = xor_digest(digest, ed)
        elif cls is Hash:
            for f, x in v.items():
                ed = mix_digest(_ZERO, f)
                ed = mix_digest(ed, x)
                digest = xor_digest(digest, ed)
        else:                                   # stream: entries in ID order
            for i, fields in _stream_entries(v):
                digest = mix_digest(digest, b"%d.%d" % (i >> 64, i & ((1 << 64) - 1)))
                for k in range(0, len(fields), 2):
                    digest = mix_digest(digest, fields[k])
                    digest = mix_digest(digest, fields[k + 1])
    if has_expire:
        digest = xor_digest(digest, b"!!expire!!")
    return digest


def _stream_entries(s):
    for node in s.nodes:
        for i, fv in zip(node.ids, node.vals):
            if fv is not None:
                yield i, fv


def key_digest(db, key: bytes) -> bytes:
    """DEBUG DIGEST-VALUE of one key (logically expired keys included)."""
    v = db.data.get(key)
    if v is None:
        return _ZERO
    return object_digest(_ZERO, v, key in db.expires)


def dataset_digest(engine) -> bytes:
    """computeDatasetDigest."""
    final = _ZERO
    for db in engine.dbs:
        if not db.data:
            continue
        final = mix_digest(final, db.id.to_bytes(4, "big"))
        expires = db.expires
        for key, v in db.data.items():
            d = mix_digest(_ZERO, key)
            d = object_digest(d, v, key in expires)
            final = xor_digest(final, d)
    return final
