"""Streams in RDB (RDB_TYPE_STREAM_LISTPACKS_2, and the 6.x STREAM_LISTPACKS on load):
each node is written as the listpack Redis keeps for it (master entry, then entries
with flags, ID deltas, fields or SAMEFIELDS values, lp-count), followed by the stream's
metadata and the consumer groups with their PELs and consumers."""
from __future__ import annotations

import struct

from engine.types import stream as st

from . import rdbio
from .listpack import lp_build, lp_decode, lp_int, lp_str
from .rdbio import RdbError, enc_len, enc_string

_FLAG_DELETED, _FLAG_SAMEFIELDS = 1, 2
_U64 = (1 << 64) - 1
_pack_q = struct.Struct("<q").pack
_unpack_q = struct.Struct("<q").unpack


def _s64(v: int) -> int:
    v &= _U64
    return v - (1 << 64) if v >> 63 else v


def _node_listpack(node) -> bytes:
    fields = node.fields
    nf_master = len(fields)
    ents = [lp_int(node.live), lp_int(node.deleted), lp_int(nf_master)]
    ents += [lp_str(f) for f in fields]
    ents.append(lp_int(0))
    m_ms, m_seq = node.master >> 64, node.master & _U64
    for i, fv in zip(node.ids, node.vals):
        d_ms, d_seq = lp_int(_s64((i >> 64) - m_ms)), lp_int(_s64((i & _U64) - m_seq))
        if fv is None:              # a deleted entry's contents are gone: its shape stays
            ents += [lp_int(_FLAG_DELETED | _FLAG_SAMEFIELDS), d_ms, d_seq]
            ents += [lp_str(b"")] * nf_master
            ents.append(lp_int(nf_master + 3))
            continue
        nf = len(fv) >> 1
        if nf == nf_master and tuple(fv[0::2]) == tuple(fields):
            ents += [lp_int(_FLAG_SAMEFIELDS), d_ms, d_seq]
            ents += [lp_str(v) for v in fv[1::2]]
            ents.append(lp_int(nf + 3))
        else:
            ents += [lp_int(0), d_ms, d_seq, lp_int(nf)]
            ents += [lp_str(x) for x in fv]
            ents.append(lp_int(2 * nf + 4))
    return lp_build(ents)


def _id_raw(i: int) -> bytes:
    return i.to_bytes(16, "big")


def encode_stream(s, compress: bool) -> bytes:
    parts = [enc_len(len(s.nodes))]
    for node in s.nodes:
        parts.append(enc_string(_id_raw(node.master), compress))
        parts.append(enc_string(_node_listpack(node), compress))
    for v in (s.length, s.last_id >> 64, s.last_id & _U64, s.first_id >> 64,
              s.first_id & _U64, s.max_deleted >> 64, s.max_deleted & _U64,
              s.entries_added):
        parts.append(enc_len(v))
    groups = s.groups or {}
    parts.append(enc_len(len(groups)))
    for name in sorted(groups):
        g = groups[name]
        parts.append(enc_string(name, compress))
        parts.append(enc_len(g.last_id >> 64))
        parts.append(enc_len(g.last_id & _U64))
        parts.append(enc_len(g.entries_read & _U64))       # -1 (invalid) as 2^64-1
        ids = sorted(g.pel)
        parts.append(enc_len(len(ids)))
        for i in ids:
            nack = g.pel[i]
            parts.append(_id_raw(i) + _pack_q(nack.time) + enc_len(nack.count))
        parts.append(enc_len(len(g.consumers)))
        for cname in sorted(g.consumers):
            cons = g.consumers[cname]
            parts.append(enc_string(cname, compress))
            parts.append(_pack_q(cons.seen))
            cids = sorted(cons.pel)
            parts.append(enc_len(len(cids)))
            parts.append(b"".join(_id_raw(i) for i in cids))
    return b"".join(parts)


# ---------------------------------------------------------------- loading
def _b(x) -> bytes:
    return x if x.__class__ is bytes else b"%d" % x


def _decode_node(master: int, blob: bytes):
    items = lp_decode(blob, ints=True)
    try:
        live, deleted, nf = items[0], items[1], items[2]
        fields = tuple(_b(x) for x in items[3:3 + nf])
        if items[3 + nf] != 0:
            raise RdbError("stream: bad master entry terminator")
        p = 4 + nf
        node = st._Node(master, fields, 0)
        ids, vals = node.ids, node.vals
        m_ms, m_seq = master >> 64, master & _U64
        n = len(items)
        while p < n:
            flags, d_ms, d_seq = items[p], items[p + 1], items[p + 2]
            p += 3
            if flags & _FLAG_SAMEFIELDS:
                values = items[p:p + nf]
                p += nf
                fv = tuple(x for pair in zip(fields, map(_b, values)) for x in pair)
            else:
                k = items[p]
                raw = items[p + 1:p + 1 + 2 * k]
                p += 1 + 2 * k
                fv = tuple(_b(x) for x in raw)
            p += 1                                  # lp-count
            ids.append((((m_ms + d_ms) & _U64) << 64) | ((m_seq + d_seq) & _U64))
            vals.append(None if flags & _FLAG_DELETED else fv)
    except (IndexError, TypeError):
        raise RdbError("stream: malformed listpack node") from None
    if p != n or live.__class__ is not int or deleted.__class__ is not int:
        raise RdbError("stream: malformed listpack node")
    if not ids:
        raise RdbError("stream: empty listpack node")
    node.live = live
    node.deleted = deleted
    size = len(blob) - len(lp_int(live)) - len(lp_int(deleted))
    node.nbytes = node.ub = size
    if hasattr(node, "sized"):
        node.sized = len(ids)
    return node


def _raw_id(r) -> int:
    return int.from_bytes(r.read(16), "big")


def decode_stream(r, t: int, cfg):
    s = st.Stream()
    n = r.plain_length()
    for _ in range(n):
        key = r.string()
        if len(key) != 16:
            raise RdbError("stream: node key is not a 128 bit ID")
        node = _decode_node(int.from_bytes(key, "big"), r.string())
        s.nodes.append(node)
        s.keys.append(node.master)
    s.length = r.plain_length()
    s.last_id = (r.plain_length() << 64) | r.plain_length()
    if t == rdbio.TYPE_STREAM_LISTPACKS_2:
        s.first_id = (r.plain_length() << 64) | r.plain_length()
        s.max_deleted = (r.plain_length() << 64) | r.plain_length()
        s.entries_added = r.plain_length()
    else:
        s.first_id = next((i for node in s.nodes for i, v in zip(node.ids, node.vals)
                           if v is not None), 0)
        s.entries_added = s.length
    ngroups = r.plain_length()
    if ngroups:
        s.groups = {}
    for _ in range(ngroups):
        name = r.string()
        last = (r.plain_length() << 64) | r.plain_length()
        if t == rdbio.TYPE_STREAM_LISTPACKS_2:
            er = r.plain_length()
            er = er - (1 << 64) if er >> 63 else er
        else:
            er = st.INVALID
        g = st.Group(name, last, er)
        for _ in range(r.plain_length()):
            i = _raw_id(r)
            when = _unpack_q(r.read(8))[0]
            g.pel.add(i, st.Nack(None, when, r.plain_length()))
        for _ in range(r.plain_length()):
            cname = r.string()
            cons = st.Consumer(cname, _unpack_q(r.read(8))[0])
            for _ in range(r.plain_length()):
                i = _raw_id(r)
                nack = g.pel.get(i)
                if nack is None:
                    raise RdbError("stream: consumer PEL entry not found in group PEL")
                nack.consumer = cons
                cons.pel.add(i, nack)
            g.consumers[cname] = cons
        s.groups[name] = g
    return s
