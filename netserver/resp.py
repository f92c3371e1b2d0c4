"""RESP codec, sans-IO.  Requests: feed bytes, take argv lists (hiredis for multibulk,
our own parser for inline commands and for Redis's exact protocol errors).  Replies:
``encode(value, resp)`` -> bytes for RESP2 or RESP3.
"""
from __future__ import annotations

import hiredis

from engine.errors import RedisError
from engine.replies import NO_REPLY, NULL_ARRAY, Multi, Push, SetReply, Status, Verbatim

INLINE_MAX = 64 * 1024          # PROTO_INLINE_MAX_SIZE
MBULK_MAX = 1024 * 1024         # largest multibulk count Redis accepts
HEAD_CAP = 64 * 1024            # bytes of a pending frame kept for header validation


class ProtocolError(Exception):
    """The client broke the protocol: reply ``-ERR Protocol error: <text>`` and close."""


# ------------------------------------------------------------------ inline commands
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("a"): 7}
_HEX = b"0123456789abcdefABCDEF"


def split_args(line: bytes):
    """Redis's sdssplitargs: whitespace-separated, "double" quotes with \\n \\xHH escapes,
    'single' quotes with \\' only.  Returns None for unbalanced quotes."""
    args, i, n = [], 0, len(line)
    while True:
        while i < n and line[i] in b" \n\r\t\v\f\x00":
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
                if (ch == 92 and i + 3 < n and line[i + 1] == ord("x")
                        and line[i + 2] in _HEX and line[i + 3] in _HEX):
                    cur.append(int(line[i + 2:i + 4], 16))
                    i += 3
                elif ch == 92 and i + 1 < n:
                    i += 1
                    cur.append(_ESCAPES.get(line[i], line[i]))
                elif ch == 34:
                    if i + 1 < n and line[i + 1] not in b" \n\r\t\v\f\x00":
                        return None
                    inq = False
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
                    if i + 1 < n and line[i + 1] not in b" \n\r\t\v\f\x00":
                        return None
                    insq = False
                    i += 1
                    break
                else:
                    cur.append(ch)
            else:
                if i >= n:
                    break
                ch = line[i]
                if ch in b" \n\r\t\v\f\x00":
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
def frame_size(argv) -> int:
    """Wire size of a canonical multibulk request for argv."""
    size = 3 + len(str(len(argv)))
    for a in argv:
        la = len(a)
        size += la + 5 + len(str(la))
    return size


def check_header(buf: bytes, max_bulk: int, authenticated: bool = True):
    """Validate the headers of a (possibly partial) multibulk frame at the start of buf,
    the way Redis's processMultibulkBuffer does.  Raises ProtocolError."""
    nl = buf.find(b"\r\n")
    if nl < 0:
        if len(buf) > INLINE_MAX:
            raise ProtocolError("too big mbulk count string")
        return
    try:
        count = int(buf[1:nl])
    except ValueError:
        raise ProtocolError("invalid multibulk length") from None
    if count > MBULK_MAX or (not authenticated and count > 10):
        raise ProtocolError("invalid multibulk length" if authenticated
                            else "unauthenticated multibulk length")
    pos = nl + 2
    for _ in range(max(count, 0)):
        if pos >= len(buf):
            return
        if buf[pos] != 36:   # '$'
            raise ProtocolError("expected '$', got '%s'" % chr(buf[pos]))
        nl = buf.find(b"\r\n", pos)
        if nl < 0:
            if len(buf) - pos > INLINE_MAX:
                raise ProtocolError("too big bulk count string")
            return
        try:
            blen = int(buf[pos + 1:nl])
        except ValueError:
            raise ProtocolError("invalid bulk length") from None
        if blen < 0 or blen > max_bulk:
            raise ProtocolError("invalid bulk length")
        if not authenticated and blen > 16384:
            raise ProtocolError("unauthenticated bulk length")
        pos = nl + 2 + blen + 2


class RequestParser:
    """Incremental request parser for one connection.

    ``feed(data)`` returns the complete commands (lists of bytes) in ``data`` plus any
    partial frame left over from before.  A protocol error raises ProtocolError after
    the commands before it were returned through ``ready``.
    """

    __slots__ = ("reader", "tail_len", "tail_head", "inline", "max_bulk", "max_query",
                 "authenticated")

    def __init__(self, max_bulk: int = 512 * 1024 * 1024, max_query: int = 1024 ** 3):
        self.reader = hiredis.Reader()
        self.tail_len = 0          # bytes of the pending (incomplete) frame
        self.tail_head = b""       # its first HEAD_CAP bytes, for header checks
        self.inline = b""          # pending inline command bytes
        self.max_bulk = max_bulk
        self.max_query = max_query
        self.authenticated = True

    def pending(self) -> int:
        return self.tail_len + len(self.inline)

    def feed(self, data: bytes, out: list) -> None:
        """Append complete commands to ``out``; raise ProtocolError on bad input."""
        if not self.tail_len and not self.inline and data[0] == 42:
            # hot path: whole multibulk frames from a well-behaved client
            reader = self.reader
            reader.feed(data)
            try:
                cmd = reader.gets()
                while cmd is not False:
                    if cmd.__class__ is not list:
                        raise ProtocolError("invalid multibulk length")
                    for a in cmd:
                        if a.__class__ is not bytes:
                            raise ProtocolError(_bad_element(a))
                    if cmd:
                        out.append(cmd)
                    cmd = reader.gets()
            except hiredis.ProtocolError as e:
                data = self._recover(data, out, 0, e)
            else:
                if not reader.has_data():
                    return
                self._keep_tail(data, out, 0)
                return
        while data:
            if not self.tail_len and (self.inline or data[0] != 42):   # not '*'
                data = self._inline(data, out)
                continue
            data = self._multibulk(data, out)

    def _multibulk(self, data: bytes, out: list) -> bytes:
        reader = self.reader
        start = len(out)
        reader.feed(data)
        try:
            while True:
                cmd = reader.gets()
                if cmd is False:
                    break
                if cmd.__class__ is not list:
                    raise ProtocolError("invalid multibulk length")
                for a in cmd:
                    if a.__class__ is not bytes:
                        raise ProtocolError(_bad_element(a))
                if cmd:
                    out.append(cmd)
        except hiredis.ProtocolError as e:
            return self._recover(data, out, start, e)
        if not reader.has_data():
            self.tail_len, self.tail_head = 0, b""
            return b""
        self._keep_tail(data, out, start)
        return b""

    def _recover(self, data: bytes, out: list, start: int, e) -> bytes:
        """hiredis stopped mid-stream: find where, in our own terms.  Returns the rest
        when it is an inline command, else raises Redis's ProtocolError."""
        self.reader = hiredis.Reader()
        consumed = sum(frame_size(c) for c in out[start:]) - self.tail_len
        rest = data[consumed:] if consumed >= 0 else data
        self.tail_len, self.tail_head = 0, b""
        if rest and rest[0] != 42:
            return rest
        check_header(rest, self.max_bulk, self.authenticated)
        raise ProtocolError(_translate(str(e))) from None

    def _keep_tail(self, data: bytes, out: list, start: int):
        """A partial frame remains: remember its head and validate it before it grows."""
        if len(out) == start:
            self.tail_len += len(data)
            if len(self.tail_head) < HEAD_CAP:
                self.tail_head += data[:HEAD_CAP - len(self.tail_head)]
        else:
            consumed = sum(frame_size(c) for c in out[start:]) - self.tail_len
            self.tail_len = len(data) - consumed
            self.tail_head = data[consumed:consumed + HEAD_CAP]
        if self.tail_len > self.max_query:
            raise ProtocolError("query buffer limit")
        check_header(self.tail_head, self.max_bulk, self.authenticated)

    def _inline(self, data: bytes, out: list) -> bytes:
        buf = self.inline + data if self.inline else data
        nl = buf.find(b"\n")
        if nl < 0:
            if len(buf) > INLINE_MAX:
                self.inline = b""
                raise ProtocolError("too big inline request")
            self.inline = buf
            return b""
        self.inline = b""
        line = buf[:nl]
        if line.endswith(b"\r"):
            line = line[:-1]
        args = split_args(line)
        if args is None:
            raise ProtocolError("unbalanced quotes in request")
        if args:
            out.append(args)
        return buf[nl + 1:]


def _bad_element(a) -> str:
    if a is None:
        return "invalid bulk length"
    kind = {int: ":", list: "*"}.get(a.__class__, "?")
    return f"expected '$', got '{kind}'"


def _translate(msg: str) -> str:
    if "multi-bulk length" in msg:
        return "invalid multibulk length"
    if "bulk string length" in msg or "Bulk string" in msg:
        return "invalid bulk length"
    if "reply type byte" in msg:
        ch = msg.split('"')[1] if '"' in msg else "?"
        return f"expected '$', got '{ch}'"
    return msg


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
        out.append(b"-%s\r\n" % v.text.replace("\r", " ").replace("\n", " ").encode())
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
