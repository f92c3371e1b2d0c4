"""Loading AOF files (loadSingleAppendOnlyFile): an RDB preamble when the file starts
with ``REDIS``, then commands in RESP multibulk form, run as Redis's fake AOF client.

Commands go straight to their functions (as Redis calls ``cmd->proc``): no stats, no
propagation, no OOM gate; MULTI queues until EXEC; replies and errors are dropped.  Keys
do not expire while loading (Redis's ``keyIsExpired`` is false during a load), so a key
whose TTL passed while the server was down is still there for the commands that follow
it in the file, as it was when they ran.

Parsing: hiredis reads the commands between annotation lines (``#TS:...``, only ever at
a command boundary); byte offsets are recomputed by a Python scanner only when needed (a
torn tail, a format error, an unfinished MULTI), which is also what names the offset of
a damaged byte."""
from __future__ import annotations

import time

import hiredis

from engine.client import Client
from engine.commands import TABLE
from engine.errors import RedisError

OK, NOT_EXIST, EMPTY, OPEN_ERR, FAILED, TRUNCATED = range(6)
_CHUNK = 1 << 14          # hiredis compacts its buffer every 1 KB: feed it small pieces
_NEVER = -(1 << 63)       # the databases' clock while loading: nothing is expired


class AofFormatError(Exception):
    def __init__(self, offset: int, what: str):
        super().__init__(what)
        self.offset, self.what = offset, what


class _Truncated(Exception):
    """The file ends inside a command (``offset`` = end of the last whole one), or
    inside a transaction (``multi``: offset = where its MULTI starts)."""

    def __init__(self, offset: int, multi: bool = False):
        self.offset = offset
        self.multi = multi


class _Unknown(Exception):
    def __init__(self, name: bytes):
        self.name = name


_SPECIAL = frozenset((b"multi", b"exec", b"pexpireat"))


class Replayer:
    """The fake AOF client (createAOFClient) and the command loop around it."""

    def __init__(self, engine):
        self.engine = engine
        c = self.c = Client(engine)
        c.authenticated = True
        c.name = b""
        self.multi = None           # queued argv lists between MULTI and EXEC
        self.errors = 0
        self.plain: dict = {}       # name as written -> spec of a plain command (fast path)

    def plain_spec(self, name: bytes):
        """The spec when ``name`` is a plain command (no subcommands, not MULTI/EXEC or
        PEXPIREAT, which need the general path), else None.  Cached per spelling."""
        spec = self.plain.get(name)
        if spec is None and name not in self.plain:
            lname = name.lower()
            spec = TABLE.get(lname)
            if spec is None or spec.subcommands or lname in _SPECIAL:
                spec = None
            self.plain[name] = spec
        return spec

    def run(self, argv: list):
        name = argv[0]
        if name.__class__ is not bytes:
            raise TypeError("not a bulk string")
        lname = name.lower()
        if self.multi is not None:
            if lname == b"exec":
                queued, self.multi = self.multi, None
                for a in queued:
                    self._call(a)
                return
            self._lookup(argv, lname)       # an unknown command stops the load anyway
            self.multi.append(argv)
            return
        if lname == b"multi":
            self.multi = []
            return
        self._call(argv, lname)

    def _lookup(self, argv, lname):
        spec = TABLE.get(lname)
        if spec is None:
            raise _Unknown(argv[0])
        if spec.subcommands and (len(argv) > 1 or spec.fn is None):
            sub = spec.subcommands.get(argv[1].lower()) if len(argv) > 1 else None
            if sub is None:
                raise _Unknown(argv[0])
            return sub, argv[2:]
        return spec, argv[1:]

    def _call(self, argv, lname=None):
        lname = lname or argv[0].lower()
        if lname == b"pexpireat" and len(argv) >= 3 and self._past_expire(argv):
            return
        spec, args = self._lookup(argv, lname)
        arity = spec.arity
        n = len(argv)
        if (n != arity) if arity > 0 else (n < -arity):
            self.errors += 1
            return
        c = self.c
        c.cmd = spec
        c.argv = argv
        try:
            spec.fn(c, *args)
        except RedisError:
            self.errors += 1
        except Exception:
            self.errors += 1
            self.engine.log_exception(f"command '{spec.name}' failed while loading the AOF")

    def _past_expire(self, argv) -> bool:
        """PEXPIREAT at a time already past: Redis, loading, sets it (checkAlreadyExpired
        is false while loading) instead of deleting the key, so the commands after it
        in the file still find the key, and it expires after the load."""
        from engine.parsing import to_int
        when = to_int(argv[2])
        c = self.c
        key = argv[1]
        if when is None or when > self.engine.now_ms or key not in c.db.data:
            return False
        c.db.set_expire(key, when)
        c.cmd = None
        c.written(key, b"expire")
        return True

    @property
    def in_multi(self) -> bool:
        return self.multi is not None


# ---------------------------------------------------------------- parsing
def scan(data, pos: int, count: int | None = None, *, strict_end: bool = False):
    """Walk commands from ``pos`` the way Redis's loader reads them; yields
    (start, end, argv).  Annotations ('#' lines) are skipped.  Raises AofFormatError
    (offset of the bad byte) or _Truncated (offset after the last whole command)."""
    n = len(data)
    find = data.find
    done = 0
    while pos < n:
        if count is not None and done >= count:
            return
        start = pos
        ch = data[pos]
        if ch == 35:                                    # '#': an annotation line
            nl = find(b"\n", pos)
            pos = n if nl < 0 else nl + 1
            continue
        if ch != 42:                                    # '*'
            raise AofFormatError(pos, f"expected '*', got {_show(data, pos)}")
        nl = find(b"\n", pos)
        if nl < 0:
            raise _Truncated(start)
        argc = _atoi(data[pos + 1:nl])
        if argc < 1:
            raise AofFormatError(pos, f"bad argument count {_show_line(data, pos, nl)}")
        pos = nl + 1
        argv = []
        for _ in range(argc):
            if pos >= n:
                raise _Truncated(start)
            if data[pos] != 36:                         # '$'
                raise AofFormatError(pos, f"expected '$', got {_show(data, pos)}")
            nl = find(b"\n", pos)
            if nl < 0:
                raise _Truncated(start)
            ln = _atoi(data[pos + 1:nl])
            s = nl + 1
            if ln < 0 or s + ln + 2 > n:
                if ln < 0:
                    raise AofFormatError(pos, f"bad bulk length {_show_line(data, pos, nl)}")
                raise _Truncated(start)
            argv.append(bytes(data[s:s + ln]))
            pos = s + ln + 2                            # CRLF discarded unchecked, as Redis
        done += 1
        yield start, pos, argv


def _atoi(b) -> int:
    """atoi/strtol over a header line: optional sign, digits, the rest ignored."""
    b = bytes(b).strip()
    i = 1 if b[:1] in (b"-", b"+") else 0
    j = i
    while j < len(b) and 48 <= b[j] <= 57:
        j += 1
    return int(b[:j]) if j > i else 0


def _show(data, pos) -> str:
    return repr(bytes(data[pos:pos + 1]))


def _show_line(data, pos, nl) -> str:
    return repr(bytes(data[pos:min(nl, pos + 32)]).rstrip(b"\r"))


# ---------------------------------------------------------------- one file
class FileResult:
    __slots__ = ("status", "commands", "truncated_at", "error")

    def __init__(self, status: int, commands: int = 0):
        self.status = status
        self.commands = commands
        self.truncated_at = -1
        self.error = None


_SENTINEL = b"\x00keyscope-aof-boundary\x00"
_SENTINEL_CMD = b"*1\r\n$%d\r\n%s\r\n" % (len(_SENTINEL), _SENTINEL)


class _Unclean(Exception):
    """The fed bytes end inside a command (hiredis keeps a partial array quietly)."""


def replay(rep: Replayer, data, pos: int, progress=None) -> int:
    """Run every command in data[pos:]; returns the number run.  Raises AofFormatError,
    _Unknown, or _Truncated (with the offset to truncate at, an unfinished MULTI
    included).

    hiredis parses the stretches between candidate annotation lines ('\n#'); whether a
    stretch ends at a command boundary is checked by feeding a sentinel command after
    it (hiredis would otherwise sit silently inside a partial array).  A candidate that
    turns out to lie inside a value costs one Python scan of its stretch."""
    n = len(data)
    total = 0
    seg = pos                 # a known command boundary
    search = pos              # where to look for the next candidate
    multi_at = None           # (seg, k) where an open MULTI started
    while seg < n:
        if data[seg] == 35:                         # an annotation at a boundary
            nl = data.find(b"\n", seg)
            seg = n if nl < 0 else nl + 1
            search = max(search, seg)
            if multi_at is not None:
                multi_at = _abs(data, multi_at)
            continue
        cand = data.find(b"\n#", max(seg, search))
        end = n if cand < 0 else cand + 1
        reader = hiredis.Reader()
        k = 0
        try:
            k, multi_at = _run_stretch(rep, reader, data, seg, end, multi_at, progress)
        except _Partial as p:
            k, multi_at = p.k, p.multi_at
            total += k
            return total + _slow(rep, data, seg, k, multi_at)
        total += k
        reader.feed(_SENTINEL_CMD)
        try:
            got = reader.gets()
            clean = got == [_SENTINEL] and not reader.has_data()
        except hiredis.ProtocolError:
            clean = False
        if multi_at is not None:
            multi_at = _abs(data, multi_at)
        if clean:
            seg = search = end
            continue
        if end == n:                                # the file ends inside a command
            return total + _slow(rep, data, _skip_to(data, seg, k), 0, multi_at)
        seg = _skip_to(data, seg, k)                # a '#' inside a value: go on after
        search = end                                # the last whole command
    if rep.multi is not None:
        raise _Truncated(_abs(data, multi_at)[0], True)
    return total


class _Partial(Exception):
    def __init__(self, k, multi_at):
        self.k, self.multi_at = k, multi_at


def _run_stretch(rep, reader, data, seg, end, multi_at, progress):
    """Feed data[seg:end] in chunks, running each whole command; returns (commands
    run, multi_at).  A protocol error raises _Partial with what ran so far."""
    run = rep.run
    plain = rep.plain
    plain_spec = rep.plain_spec
    c = rep.c
    feed, gets = reader.feed, reader.gets
    k = 0
    i = seg
    try:
        while i < end:
            j = min(i + _CHUNK, end)
            feed(data[i:j])
            i = j
            while True:
                argv = gets()
                if argv is False:
                    break
                if argv.__class__ is not list or not argv:
                    raise hiredis.ProtocolError("not a command")
                for a in argv:
                    if a.__class__ is not bytes:
                        raise hiredis.ProtocolError("not a bulk string")
                if rep.multi is None:
                    name = argv[0]
                    spec = plain[name] if name in plain else plain_spec(name)
                    if spec is not None:            # the common case, inlined
                        arity = spec.arity
                        n = len(argv)
                        if (n == arity) if arity > 0 else (n >= -arity):
                            c.cmd = spec
                            c.argv = argv
                            try:
                                spec.fn(c, *argv[1:])
                            except RedisError:
                                rep.errors += 1
                            except Exception:
                                rep.errors += 1
                                rep.engine.log_exception(f"command '{spec.name}' failed "
                                                         "while loading the AOF")
                        else:
                            rep.errors += 1
                        k += 1
                        continue
                was = rep.multi is not None
                run(argv)
                if not was and rep.multi is not None:
                    multi_at = (seg, k)
                elif rep.multi is None:
                    multi_at = None
                k += 1
            if progress is not None:
                progress(i)
    except (hiredis.ProtocolError, TypeError, AttributeError):
        # the exact place and Redis's reading of it: the Python scanner from the
        # stretch's start, skipping what hiredis already ran
        raise _Partial(k, multi_at) from None
    return k, multi_at


def _skip_to(data, seg: int, k: int) -> int:
    """Offset after ``k`` commands from ``seg``."""
    return _abs(data, (seg, k))[0]


def _abs(data, at) -> tuple:
    """(seg, k) -> (offset of that command, 0)."""
    seg, k = at
    if k == 0:
        return at
    off = seg
    for _, end, _ in scan(data, seg, k):
        off = end
    # the k-th command starts after annotations that may follow `off`
    return _skip_annotations(data, off), 0


def _skip_annotations(data, pos: int) -> int:
    n = len(data)
    while pos < n and data[pos] == 35:
        nl = data.find(b"\n", pos)
        pos = n if nl < 0 else nl + 1
    return pos


def _slow(rep: Replayer, data, seg: int, skip: int, multi_at) -> int:
    """Continue in Python from ``seg`` (commands before ``skip`` already ran)."""
    ran = 0
    multi_start = None if multi_at is None else _abs(data, multi_at)[0]
    try:
        for idx, (start, _end, argv) in enumerate(scan(data, seg)):
            if idx < skip:
                continue
            was = rep.multi is not None
            rep.run(argv)
            if not was and rep.multi is not None:
                multi_start = start
            elif rep.multi is None:
                multi_start = None
            ran += 1
    except _Truncated:
        if rep.multi is not None:
            raise _Truncated(multi_start, True) from None
        raise
    if rep.multi is not None:
        raise _Truncated(multi_start, True)
    return ran


def load_file(engine, path: str, name: str, old_style: bool, log) -> FileResult:
    """One AOF file (base or incr): returns a FileResult with Redis's statuses.  The
    caller logs the outcome; the messages logged here are Redis's own."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError as e:
        log.warning(f"The append log file {name} doesn't exist: {e.strerror}")
        return FileResult(NOT_EXIST)
    except OSError as e:
        log.warning(f"Fatal error: can't open the append log file {name} for reading: "
                    f"{e.strerror}")
        return FileResult(OPEN_ERR)
    if not data:
        return FileResult(EMPTY)
    rep = Replayer(engine)
    pos = 0
    if data[:5] == b"REDIS":
        from .rdb_read import load_rdb
        from .rdbio import RdbError
        log.notice("Reading RDB preamble from AOF file..." if old_style
                   else "Reading RDB base file on AOF loading...")
        try:
            res = load_rdb(data, engine, engine.now_ms,
                           checksum=engine.config["rdbchecksum"], skip_expired=False)
        except RdbError as err:
            log.warning(f"Error reading the RDB {'preamble of the AOF file' if old_style else 'base file'} "
                        f"{name}, AOF loading aborted")
            log.warning(f"RDB error in {name}: {err}")
            r = FileResult(FAILED)
            r.error = str(err)
            return r
        aux = res.aux
        if b"redis-ver" in aux:
            log.notice(f"Loading RDB produced by version {aux[b'redis-ver'].decode('utf-8', 'replace')}")
        if aux.get(b"aof-base") == b"1":
            log.notice("RDB is base AOF")
        log.notice(f"Done loading RDB, keys loaded: {res.keys_loaded}, keys expired: "
                   f"{res.keys_expired}.")
        pos = res.end
        if old_style:
            log.notice("Reading the remaining AOF tail...")
    result = FileResult(OK)
    size = len(data)
    clock = time.monotonic
    last = [clock()]

    def progress(offset: int):
        now = clock()
        if now - last[0] >= 5:
            last[0] = now
            log.notice(f"Loading AOF {name}: {offset * 100 // size}% "
                       f"({offset}/{size} bytes)")
    try:
        result.commands = replay(rep, data, pos, progress)
    except _Truncated as t:
        result.status = TRUNCATED
        result.truncated_at = t.offset
        if t.multi:
            log.warning(f"Revert incomplete MULTI/EXEC transaction in AOF file {name}")
    except AofFormatError as e:
        log.warning(f"Bad file format reading the append only file {name}: make a backup "
                    f"of your AOF file, then use ./redis-check-aof --fix <filename.manifest>")
        log.warning(f"AOF format error in {name} at offset {e.offset}: {e.what}")
        result.status = FAILED
        result.error = f"offset {e.offset}"
    except _Unknown as u:
        log.warning(f"Unknown command '{u.name.decode('utf-8', 'replace')}' reading the "
                    f"append only file {name}")
        result.status = FAILED
    return result
