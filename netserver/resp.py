"""RESP codec, sans-IO.  Requests: feed bytes, take argv lists (hiredis for multibulk,
our own parser for inline commands and for Redis's exact protocol errors).  Replies:
``encode(value, resp)`` -> bytes for RESP2 or RESP3.
"""
from __future__ import annotations

import ctypes
import re

import hiredis

from engine.errors import RedisError
from engine.replies import NO_REPLY, NULL_ARRAY, Multi, Push, SetReply, Status, Verbatim

INLINE_MAX = 64 * 1024          # PROTO_INLINE_MAX_SIZE


# ------------------------------------------------------------------ inline commands
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("a"): 7}
_HEX = b"0123456789abcdefABCDEF"
_SPACE = b" \n\r\t\v\f"            # isspace() in the C locale: skipped between tokens
_TOKEN_END = b" \n\r\t"            # what ends an unquoted token (\v and \f do not)
_PLAIN = re.compile(rb"[^\"'\v\f]*").fullmatch


def split_args(line: bytes):
    """Redis's sdssplitargs: whitespace-separated, "double" quotes with \\n \\r \\t \\b \\a
    \\xHH and \\<any> escapes, 'single' quotes with \\' only; a closing quote must be
    followed by a space or the end.  Returns None for unbalanced quotes.  The line is
    a C string there: a NUL byte ends it."""
    nul = line.find(b"\0")
    if nul >= 0:
        line = line[:nul]
    if _PLAIN(line):
        return line.split()
    args, i, n = [], 0, len(line)
    while True:
        while i < n and line[i] in _SPACE:
            i += 1
        if i >= n:
            return args
        cur = bytearray()
        inq = insq = False
        while True:
            if inq:
                if i >= n:
                    return None
                ch = line[i]
                if (ch == 92 and i + 3 < n and line[i + 1] == 120      # \xHH
                        and line[i + 2] in _HEX and line[i + 3] in _HEX):
                    cur.append(int(line[i + 2:i + 4], 16))
                    i += 3
                elif ch == 92 and i + 1 < n:
                    i += 1
                    cur.append(_ESCAPES.get(line[i], line[i]))
                elif ch == 34:
                    if i + 1 < n and line[i + 1] not in _SPACE:
                        return None
                    i += 1
                    break
                else:
                    cur.append(ch)
            elif insq:
                if i >= n:
                    return None
                ch = line[i]
                if ch == 92 and i + 1 < n and line[i + 1] == 39:
                    i += 1
                    cur.append(39)
                elif ch == 39:
                    if i + 1 < n and line[i + 1] not in _SPACE:
                        return None
                    i += 1
                    break
                else:
                    cur.append(ch)
            else:
                if i >= n:
                    break
                ch = line[i]
                if ch in _TOKEN_END:
                    i += 1
                    break
                if ch == 34:
                    inq = True
                elif ch == 39:
                    insq = True
                else:
                    cur.append(ch)
            i += 1
        args.append(bytes(cur))


# ------------------------------------------------------------------ requests
INT_MAX = 2**31 - 1
UNAUTH_MBULK = 10               # what an unauthenticated client may send (Redis 7.0)
UNAUTH_BULK = 16384
# Redis reads 16KB at a time and gives up on a line still without its newline once more
# than 64KB are buffered, so a line is refused when its newline lies past 5 reads.
LINE_MAX = INLINE_MAX + 16 * 1024


class ProtocolError(Exception):
    """The client broke the protocol: reply ``-ERR Protocol error: <text>`` and close.
    ``text`` is bytes (Redis echoes the offending byte as is)."""

    def __init__(self, text: bytes):
        super().__init__(text)
        self.text = text

    def reply(self) -> bytes:
        # addReplyErrorFormat maps CR/LF to spaces
        return (b"-ERR Protocol error: " + self.text.replace(b"\r", b" ").replace(b"\n", b" ")
                + b"\r\n")


class QueryBufferLimit(ProtocolError):
    """The pending query buffer passed client-query-buffer-limit: Redis closes the
    connection without a reply.  ``text`` holds the buffer's first 64 bytes."""


def _to_ll(b) -> int | None:
    """Redis's string2ll on bytes: optional '-', digits, no leading zeros or '+'."""
    n = len(b)
    if n == 0 or n > 20:
        return None
    if b.isdigit():
        if b[0] == 48 and n > 1:
            return None
    elif not (b[0] == 45 and n > 1 and b[1] != 48 and b[1:].isdigit()):
        return None
    v = int(b)
    return v if -2**63 <= v < 2**63 else None


def _find(buf, ch: bytes, pos: int) -> int:
    """strchr(buf + pos, ch): a NUL byte ends the C string first."""
    i = buf.find(ch, pos)
    if i > pos and buf.find(b"\0", pos, i) >= 0:
        return -1
    return i


# hiredis allocates an aggregate's list at its header (a list of 2**31 empty slots
# takes seconds to free, or to traverse in a full GC).  hiredis has a limit for that,
# maxelements, that hiredis-py does not expose: _new_reader sets it through the reader's
# C struct once the known layout is confirmed (default values at the expected offsets,
# setmaxbuf round trip).  Elsewhere each read is screened for a header of 6+ digits
# before hiredis sees it (translate + find: ~a quarter of the parse cost).
MAX_ELEMENTS = 1 << 16          # larger aggregates go to the exact path
_AGG_MAP = bytes(42 if ch in b"*~>|%" else 48 if 48 <= ch <= 57 else 46 for ch in range(256))
_HUGE_AGG = b"*000000"
_READER_AT = 16                 # hiredis-py: PyObject_HEAD, then redisReader *reader
_MAXBUF_AT, _MAXELEMENTS_AT = 160, 168      # hiredis 1.x redisReader fields


def _reader_struct(reader):
    """The redisReader behind a hiredis.Reader, or None when the layout is not the one
    this code knows (then nothing is written through it)."""
    if hiredis.__version__.split(".")[0] not in ("2", "3"):
        return None
    ptr = ctypes.c_void_p.from_address(id(reader) + _READER_AT).value
    if not ptr:
        return None
    maxbuf = ctypes.c_size_t.from_address(ptr + _MAXBUF_AT)
    maxelements = ctypes.c_longlong.from_address(ptr + _MAXELEMENTS_AT)
    if maxbuf.value != reader.getmaxbuf() or maxelements.value != (1 << 32) - 1:
        return None
    reader.setmaxbuf(maxbuf.value + 1)
    ok = maxbuf.value == reader.getmaxbuf()
    reader.setmaxbuf(maxbuf.value - 1)
    return maxelements if ok else None


def _new_reader() -> hiredis.Reader:
    reader = hiredis.Reader()
    if not _GUARD:
        _reader_struct(reader).value = MAX_ELEMENTS
    return reader


try:
    _GUARD = _reader_struct(hiredis.Reader()) is None
except Exception:               # anything unexpected: screen every read instead
    _GUARD = True

# bytes a canonical bulk of n bytes takes on the wire: "$<n>\r\n" <n bytes> "\r\n";
# a longer argument (IndexError) takes the exact path, as does a count >= 1024
_BULK = [n + 5 + len(str(n)) for n in range(16384)]
_ARRAY = [3 + len(str(n)) for n in range(1024)]


def frame_size(argv) -> int:
    """Wire size of a canonical multibulk request for argv."""
    size = 3 + len(str(len(argv)))
    for a in argv:
        la = len(a)
        size += la + 5 + len(str(la))
    return size


class RequestParser:
    """Incremental request parser for one connection, Redis's processInputBuffer.

    ``feed(data, out)`` appends the complete commands (lists of bytes) to ``out``; a
    protocol error raises ProtocolError after the commands before it were appended.

    Fast path: a read of whole multibulk frames goes through hiredis, each command
    checked (bytes only, top-level '*', canonical byte count, bulk limit).  Anything
    else (inline commands, a frame cut by the read, whatever hiredis refuses or reads
    differently from Redis, an unauthenticated client) continues in ``_slow``, a
    line-for-line port of processMultibulkBuffer/processInlineBuffer with its state kept
    between reads, so big values arrive without re-parsing.
    """

    __slots__ = ("reader", "buf", "mbulk", "blen", "argv", "max_bulk", "max_query",
                 "authenticated", "more")

    def __init__(self, max_bulk: int = 512 * 1024 * 1024, max_query: int = 1024 ** 3):
        self.reader = _new_reader()
        self.buf = None            # bytearray of unprocessed input, None when idle
        self.mbulk = 0             # elements still expected by the current multibulk
        self.blen = -1             # length of the bulk being read (-1: header next)
        self.argv = None           # elements of the current multibulk so far
        self.max_bulk = max_bulk
        self.max_query = max_query
        self.authenticated = True  # False: Redis's smaller limits, one command per step
        self.more = False          # stepping: input may hold more commands (resume())

    def pending(self) -> int:
        """Bytes of input not yet turned into commands (CLIENT LIST qbuf)."""
        buf = self.buf
        return 0 if buf is None else len(buf)

    def feed(self, data: bytes, out: list) -> None:
        """data: a non-empty read."""
        if (self.buf is not None or data[0] != 42 or not self.authenticated
                or (_GUARD and _HUGE_AGG in data.translate(_AGG_MAP))):
            self._slow(data, out, True)
            return
        reader = self.reader
        reader.feed(data)
        gets = reader.gets
        pos = 0
        end = len(data)
        start = len(out)
        try:
            cmd = gets()
            while cmd is not False:
                # hiredis also reads statuses, sets, pushes, attributes... at any level:
                # the class checks and the byte count catch them
                if cmd.__class__ is not list or data[pos] != 42:
                    break
                size = _ARRAY[len(cmd)]
                for a in cmd:
                    if a.__class__ is not bytes:
                        break
                    size += _BULK[len(a)]
                else:
                    pos += size
                    if cmd:
                        out.append(cmd)
                    if pos == end:
                        return            # all counted: hiredis holds nothing more
                    cmd = gets()
                    continue
                break
        except hiredis.ProtocolError:
            cmd = None
        except IndexError:                # a long argument, or counted past the end
            cmd, pos = None, 1 << 62
        if cmd is False and pos == len(data):
            return
        self._drop_reader()
        if pos > len(data) or (cmd is False and data[pos] != 42):
            del out[start:]               # redo the whole read on the exact path
            pos = 0
        self._slow(data[pos:] if pos else data, out, False)

    def _drop_reader(self):
        """Forget what hiredis buffered: _slow takes over from the frame it stopped at."""
        self.reader = _new_reader()

    def resume(self, out: list) -> None:
        """Unauthenticated clients are parsed one command at a time, since the command
        (AUTH, HELLO) may lift the limits that apply to the next one."""
        self.more = False
        if self.buf is not None:
            self._slow(b"", out, False)

    # ------------------------------------------------------------------ exact path
    def _slow(self, data, out: list, handback: bool) -> None:
        buf = self.buf
        if buf is None:
            if not data:
                return
            buf = self.buf = bytearray(data)
        else:
            buf += data
            if self.blen >= 0 and len(buf) < self.blen + 2:
                self._check_limit(buf)
                return                    # inside a big bulk: wait for the rest
        self._check_limit(buf)
        pos = 0
        try:
            while pos < len(buf):
                if not self.mbulk:
                    if buf[pos] != 42:
                        n = len(out)
                        pos = self._inline(buf, pos, out)
                        if pos < 0:
                            pos = -pos - 1
                            break
                        if len(out) > n and not self.authenticated:
                            self.more = pos < len(buf)
                            break
                        continue
                    if handback and pos and self.authenticated:
                        # the frame cut by the last read is done: back to hiredis
                        rest = bytes(buf[pos:])
                        del buf[:]
                        pos = 0
                        self.buf = None
                        self.feed(rest, out)
                        return
                    cr = _find(buf, b"\r", pos)
                    if cr < 0:
                        if len(buf) - pos > INLINE_MAX:
                            raise ProtocolError(b"too big mbulk count string")
                        break
                    if cr > len(buf) - 2:
                        break               # the byte after '\r' is not here yet
                    count = _to_ll(bytes(buf[pos + 1:cr]))
                    if count is None or count > INT_MAX:
                        raise ProtocolError(b"invalid multibulk length")
                    if count > UNAUTH_MBULK and not self.authenticated:
                        raise ProtocolError(b"unauthenticated multibulk length")
                    pos = cr + 2
                    if count <= 0:
                        continue            # an empty command is skipped
                    self.mbulk = count
                    self.argv = []
                argv = self.argv
                while self.mbulk:
                    blen = self.blen
                    if blen < 0:
                        cr = _find(buf, b"\r", pos)
                        if cr < 0:
                            if len(buf) - pos > INLINE_MAX:
                                raise ProtocolError(b"too big bulk count string")
                            break
                        if cr > len(buf) - 2:
                            break
                        if buf[pos] != 36:                      # '$'
                            raise ProtocolError(b"expected '$', got '%c'" % buf[pos])
                        blen = _to_ll(bytes(buf[pos + 1:cr]))
                        if blen is None or blen < 0 or blen > self.max_bulk:
                            raise ProtocolError(b"invalid bulk length")
                        if blen > UNAUTH_BULK and not self.authenticated:
                            raise ProtocolError(b"unauthenticated bulk length")
                        pos = cr + 2
                        self.blen = blen
                    if len(buf) - pos < blen + 2:
                        break
                    with memoryview(buf) as mv:
                        argv.append(bytes(mv[pos:pos + blen]))
                    pos += blen + 2             # the two bytes after it are not checked
                    self.blen = -1
                    self.mbulk -= 1
                if self.mbulk:
                    break
                out.append(argv)
                self.argv = None
                if not self.authenticated:
                    self.more = pos < len(buf)
                    break
        finally:
            if pos:
                del buf[:pos]
            if not buf and not self.mbulk and self.buf is buf:
                self.buf = None

    def _check_limit(self, buf):
        if len(buf) > self.max_query:
            head = bytes(buf[:64])
            self.buf = None
            raise QueryBufferLimit(head)

    @staticmethod
    def _inline(buf, pos: int, out: list) -> int:
        """One inline command at pos: returns the next position, or -pos-1 when its
        newline has not arrived."""
        nl = _find(buf, b"\n", pos)
        if nl < 0:
            if len(buf) - pos > INLINE_MAX:
                raise ProtocolError(b"too big inline request")
            return -pos - 1
        if nl - pos >= LINE_MAX:
            raise ProtocolError(b"too big inline request")
        end = nl - 1 if nl > pos and buf[nl - 1] == 13 else nl
        args = split_args(bytes(buf[pos:end]))
        if args is None:
            raise ProtocolError(b"unbalanced quotes in request")
        if args:
            out.append(args)
        return nl + 1


# ------------------------------------------------------------------ replies
def format_double(d: float) -> bytes:
    """Redis 7.0's addReplyDouble: %.17g, inf/-inf spelled out."""
    if d != d:
        return b"nan"
    if d == float("inf"):
        return b"inf"
    if d == float("-inf"):
        return b"-inf"
    return b"%.17g" % d


def _bulk(v, out):
    out.append(b"$%d\r\n" % len(v))
    out.append(v)
    out.append(b"\r\n")


def _encode(v, resp: int, out: list):
    t = v.__class__
    if t is bytes or t is bytearray:
        out.append(b"$%d\r\n%s\r\n" % (len(v), v))
    elif t is int:
        out.append(b":%d\r\n" % v)
    elif t is Status:
        out.append(b"+%s\r\n" % v)
    elif v is None:
        out.append(b"$-1\r\n" if resp == 2 else b"_\r\n")
    elif t is list or t is tuple:
        out.append(b"*%d\r\n" % len(v))
        for x in v:
            _encode(x, resp, out)
    elif isinstance(v, RedisError):
        out.append(b"-%s\r\n" % v.text.replace("\r", " ").replace("\n", " ")
                   .encode("utf-8", "surrogateescape"))
    elif t is dict:
        if resp == 2:
            out.append(b"*%d\r\n" % (2 * len(v)))
        else:
            out.append(b"%%%d\r\n" % len(v))
        for k, x in v.items():
            _encode(k, resp, out)
            _encode(x, resp, out)
    elif t is float:
        s = format_double(v)
        if resp == 2:
            out.append(b"$%d\r\n%s\r\n" % (len(s), s))
        else:
            out.append(b",%s\r\n" % s)
    elif t is set or t is frozenset or t is SetReply:
        out.append((b"*%d\r\n" if resp == 2 else b"~%d\r\n") % len(v))
        for x in v:
            _encode(x, resp, out)
    elif t is bool:
        if resp == 2:
            out.append(b":1\r\n" if v else b":0\r\n")
        else:
            out.append(b"#t\r\n" if v else b"#f\r\n")
    elif t is Push:
        out.append((b"*%d\r\n" if resp == 2 else b">%d\r\n") % len(v))
        for x in v:
            _encode(x, resp, out)
    elif t is Verbatim:
        if resp == 2:
            _bulk(v, out)
        else:
            out.append(b"=%d\r\ntxt:%s\r\n" % (len(v) + 4, v))
    elif v is NULL_ARRAY:
        out.append(b"*-1\r\n" if resp == 2 else b"_\r\n")
    elif t is Multi:
        for x in v:
            _encode(x, resp, out)
    elif v is NO_REPLY:
        pass
    elif isinstance(v, str):          # programming convenience: a str is a bulk string
        _bulk(v.encode(), out)
    else:
        raise TypeError(f"cannot encode reply of type {t.__name__}")


_OK = b"+OK\r\n"


def encode(v, resp: int = 2) -> bytes:
    """One reply value -> bytes."""
    t = v.__class__
    if t is bytes:
        return b"$%d\r\n%s\r\n" % (len(v), v)
    if t is Status:
        return b"+%s\r\n" % v
    if t is int:
        return b":%d\r\n" % v
    out: list = []
    _encode(v, resp, out)
    return b"".join(out)
