"""A point-in-time RDB image written in slices, without fork.

At start every database's ``data``/``expires`` dicts are copied (shallow, C speed), so
keys deleted, replaced or expired later are still seen as they were.  What a dict copy
cannot freeze is a value changed in place (a bytearray string, a list, hash, set, zset,
stream): the engine calls ``guard`` before every write command runs, and for each key
the command names the key's current -- still pre-write -- value is serialized at once
and removed from the copy, so the slices never see the later state.  The records made by
the guard are written into the section of their database (at once when that section is
being written, else when it starts).  SWAPDB is followed by swapping which copy each
database's live objects came from.

Slices pop keys from the copies (``dict.popitem``: no key list, memory is given back as
the snapshot advances), encode them and append to a buffer flushed to the temp file with
a running CRC64.  The last step (flush, fsync, rename) runs in a thread, as Redis leaves
fsync and unlink to background threads."""
from __future__ import annotations

import os
import threading
import time

import struct

from . import rdbio
from .rdbio import enc_string
from .rdb_write import (access_hint, db_header, eof, file_header, functions_section,
                        key_record)

_FLUSH_AT = 1 << 20
_EXPIRE = bytes((rdbio.OPCODE_EXPIRETIME_MS,))
_pack_q = struct.Struct("<q").pack


class Snapshot:
    def __init__(self, engine, path: str, tmp: str, aof_base: bool = False):
        cfg = engine.config
        self.engine = engine
        self.path, self.tmp = path, tmp
        self.cfg = cfg
        self.compress = cfg["rdbcompression"]
        self.checksum = cfg["rdbchecksum"]
        self.hints = cfg["maxmemory-policy"].endswith(("-lru", "-lfu"))
        self.copies = [(db.data.copy(), db.expires.copy()) for db in engine.dbs]
        self.sizes = [(len(d), len(x)) for d, x in self.copies]
        self.total = sum(s for s, _ in self.sizes)
        self.done = 0
        self.origin = list(range(len(self.copies)))   # live db -> copy its objects are from
        self.early: dict[int, list] = {}                # copy index -> records made by guard
        self.cur = -1                                   # copy whose section is being written
        self.started = time.time()
        self.finished = False
        self.error: str | None = None
        self._thread = None
        self.crc = 0
        self.buf = bytearray()
        self.f = open(tmp, "wb")            # OSError goes to the caller (nothing started)
        self._emit(self._header(aof_base))

    # the file framing, as methods: the AOF base without RDB preamble (engine.persist.
    # aof_rewrite) writes commands with the same slices and pre-write guard
    def _header(self, aof_base: bool) -> bytes:
        from engine.cmds.info import used_memory
        return (file_header(used_memory(self.engine), aof_base)
                + functions_section(self.engine, self.compress))

    def _db_header(self, ci: int, size: int, expires: int) -> bytes:
        return db_header(ci, size, expires)

    def _tail(self) -> bytes:
        return eof(self.crc, self.checksum)

    # ---------------------------------------------------------------- output
    def _emit(self, b: bytes):
        self.buf += b
        if len(self.buf) >= _FLUSH_AT:
            self._flush()

    def _flush(self):
        if self.buf:
            data = bytes(self.buf)
            self.buf.clear()
            if self.checksum:
                self.crc = rdbio.crc64(data, self.crc)
            self.f.write(data)

    def _record(self, ci: int, key: bytes, v) -> bytes:
        when = self.copies[ci][1].get(key)
        hint = access_hint(self.engine, self.engine.dbs[ci], key) if self.hints else b""
        return key_record(key, v, when, self.cfg, self.compress, hint)

    # ---------------------------------------------------------------- guard
    def guard(self, c, spec, argv):
        """Before a write runs: serialize the pre-write values of the keys it names."""
        name = spec.name
        if name == "swapdb":
            self._swapdb(argv)
            return
        ci = self.origin[c.db.id]
        data = self.copies[ci][0]
        if not data:
            return
        positions = spec.key_positions(argv)
        if spec.getkeys is not None:
            positions = positions + [p for p, _ in spec.key_positions_flags(argv)]
        for i in positions:
            key = argv[i]
            v = data.pop(key, None)
            if v is None:
                continue
            try:
                rec = self._record(ci, key, v)
            except Exception as e:          # never block the write; fail the snapshot
                self.error = f"serializing a key failed: {e!r}"
                return
            self.done += 1
            if ci == self.cur:
                self._emit(rec)
            else:
                self.early.setdefault(ci, []).append(rec)

    def _swapdb(self, argv):
        try:
            a, b = int(argv[1]), int(argv[2])
        except (ValueError, IndexError):
            return
        n = len(self.origin)
        if 0 <= a < n and 0 <= b < n:
            o = self.origin
            o[a], o[b] = o[b], o[a]

    # ---------------------------------------------------------------- slices
    def step(self, budget_s: float) -> bool:
        """Write for about ``budget_s`` seconds; True once the file is complete (or the
        snapshot failed: see ``error``)."""
        if self.finished:
            return True
        if self.error is not None:
            self._fail()
            return True
        deadline = time.perf_counter() + budget_s
        perf = time.perf_counter
        try:
            while True:
                if self.cur >= 0:
                    ci = self.cur
                    data, expires = self.copies[ci]
                    n = 0
                    popitem = data.popitem
                    rec = self._record
                    buf = self.buf
                    comp = self.compress
                    fast = not self.hints
                    es = enc_string
                    while data:
                        key, v = popitem()
                        if fast and v.__class__ is bytes:   # the common case, inlined
                            if expires:
                                when = expires.get(key)
                                if when is not None:
                                    buf += _EXPIRE
                                    buf += _pack_q(when)
                            buf += b"\x00"
                            buf += es(key, comp)
                            buf += es(v, comp)
                        else:
                            buf += rec(ci, key, v)
                        n += 1
                        if not n & 63:
                            if len(buf) >= _FLUSH_AT:
                                self._flush()
                            if perf() > deadline:
                                break
                    self.done += n
                    if data:
                        return False
                    self.copies[self.cur] = ({}, {})
                nxt = self.cur + 1
                while nxt < len(self.copies) and not self.sizes[nxt][0]:
                    nxt += 1
                if nxt >= len(self.copies):
                    break
                self.cur = nxt
                size, expires = self.sizes[nxt]
                self._emit(self._db_header(nxt, size, expires))
                for rec in self.early.pop(nxt, ()):
                    self._emit(rec)
                if perf() > deadline:
                    return False
            self._flush()
            tail = self._tail()
            self.f.write(tail)
        except Exception as e:
            self.error = f"{e}"
            self._fail()
            return True
        self.finished = True
        return True

    def finish_async(self, done):
        """fsync + rename in a thread; ``done(error_or_None)`` is called from it."""
        def work():
            done(self._commit())
        self._thread = threading.Thread(target=work, name="rdb-fsync", daemon=True)
        self._thread.start()

    def commit(self) -> str | None:
        """fsync + rename here (SAVE); returns an error text or None."""
        return self._commit()

    def _commit(self) -> str | None:
        try:
            self.f.flush()
            os.fsync(self.f.fileno())
            self.f.close()
            os.replace(self.tmp, self.path)
        except OSError as e:
            self._fail()
            return e.strerror or str(e)
        return None

    def abort(self):
        self.error = self.error or "aborted"
        self._fail()

    def _fail(self):
        self.copies = []
        self.early = {}
        try:
            self.f.close()
        except OSError:
            pass
        try:
            os.unlink(self.tmp)
        except OSError:
            pass

    @property
    def progress(self) -> float:
        return 1.0 if self.finished or not self.total else min(1.0, self.done / self.total)
