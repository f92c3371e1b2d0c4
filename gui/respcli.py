"""A redis-cli for the console panel: RESP2/RESP3 reply parser (sans-IO), redis-cli's reply
rendering (its TTY form and ``--raw``), argument splitting, and an asyncio connection.

The console talks to the server over a real TCP connection, as redis-cli does, so what it
shows is what any client sees.  The connection is non-blocking on the app's own loop: the
embedded server lives in the same thread, so a blocking client would deadlock it.
"""
from __future__ import annotations

import asyncio
from collections import deque


# ---------------------------------------------------------------------- reply values
class Reply:
    """A parsed reply: ``kind`` is RESP's type (status, error, integer, bulk, nil, double,
    bool, bignum, verbatim, array, map, set, push); ``value`` the payload (a list of
    Reply for aggregates, flat key/value order for maps)."""
    __slots__ = ("kind", "value")

    def __init__(self, kind: str, value=None):
        self.kind = kind
        self.value = value

    def __repr__(self):
        return f"Reply({self.kind}, {self.value!r})"

    def to_python(self):
        """Plain values (for tests and programmatic use)."""
        k, v = self.kind, self.value
        if k in ("array", "set", "push"):
            return [e.to_python() for e in v]
        if k == "map":
            return {v[i].to_python(): v[i + 1].to_python() for i in range(0, len(v), 2)}
        return v


class Incomplete(Exception):
    pass


class ReplyParser:
    """Feed bytes, get complete replies.  Aggregates are parsed from the start of the
    unconsumed buffer; only complete top-level replies consume it."""

    def __init__(self):
        self.buf = bytearray()

    def feed(self, data: bytes) -> list[Reply]:
        self.buf += data
        out = []
        while self.buf:
            try:
                reply, pos = self._parse(0)
            except Incomplete:
                break
            del self.buf[:pos]
            out.append(reply)
        return out

    def _line(self, pos: int) -> tuple[bytes, int]:
        end = self.buf.find(b"\r\n", pos)
        if end < 0:
            raise Incomplete
        return bytes(self.buf[pos:end]), end + 2

    def _parse(self, pos: int):
        if pos >= len(self.buf):
            raise Incomplete
        t = bytes(self.buf[pos:pos + 1])
        line, pos = self._line(pos + 1)
        if t == b"+":
            return Reply("status", line), pos
        if t == b"-":
            return Reply("error", line), pos
        if t == b":":
            return Reply("integer", int(line)), pos
        if t == b",":
            return Reply("double", line), pos
        if t == b"#":
            return Reply("bool", line == b"t"), pos
        if t == b"(":
            return Reply("bignum", line), pos
        if t == b"_":
            return Reply("nil"), pos
        if t in (b"$", b"=", b"!"):
            n = int(line)
            if n < 0:
                return Reply("nil"), pos
            if len(self.buf) < pos + n + 2:
                raise Incomplete
            data = bytes(self.buf[pos:pos + n])
            kind = {b"$": "bulk", b"=": "verbatim", b"!": "error"}[t]
            return Reply(kind, data), pos + n + 2
        if t in (b"*", b"~", b">", b"%", b"|"):
            n = int(line)
            if n < 0:
                return Reply("nil"), pos
            if t in (b"%", b"|"):
                n *= 2
            items = []
            for _ in range(n):
                item, pos = self._parse(pos)
                items.append(item)
            if t == b"|":          # attributes precede the real reply: skip them
                return self._parse(pos)
            kind = {b"*": "array", b"~": "set", b">": "push", b"%": "map"}[t]
            return Reply(kind, items), pos
        raise ValueError(f"Protocol error, got {t.decode(errors='replace')!r} as reply type byte")


# ---------------------------------------------------------------------- rendering
def repr_bytes(b: bytes) -> str:
    """redis-cli's sdscatrepr: quoted, C escapes, \\xNN for the unprintable."""
    out = ['"']
    for ch in b:
        if ch == 0x5C:
            out.append("\\\\")
        elif ch == 0x22:
            out.append('\\"')
        elif ch == 0x0A:
            out.append("\\n")
        elif ch == 0x0D:
            out.append("\\r")
        elif ch == 0x09:
            out.append("\\t")
        elif ch == 0x07:
            out.append("\\a")
        elif ch == 0x08:
            out.append("\\b")
        elif 0x20 <= ch < 0x7F:
            out.append(chr(ch))
        else:
            out.append("\\x%02x" % ch)
    out.append('"')
    return "".join(out)


def _text(b: bytes) -> str:
    return b.decode("utf-8", "replace")


_EMPTY = {"array": "(empty array)", "map": "(empty hash)", "set": "(empty set)",
          "push": "(empty push)"}
_SEP = {"set": "~", "map": "#"}


def _multiline(r: Reply) -> bool:
    """Whether format_tty renders this in several lines: an aggregate of more than one
    element (pair, for maps), or of one element that is itself multi-line."""
    if r.kind in ("array", "set", "push"):
        return len(r.value) > 1 or (len(r.value) == 1 and _multiline(r.value[0]))
    if r.kind == "map":
        return len(r.value) > 2 or (len(r.value) == 2 and _multiline(r.value[1]))
    return False


def format_tty(r: Reply, prefix: str = "") -> str:
    """redis-cli's interactive rendering (cliFormatReplyTTY), newline-terminated."""
    k = r.kind
    if k == "error":
        return f"(error) {_text(r.value)}\n"
    if k == "status":
        return _text(r.value) + "\n"
    if k == "integer":
        return f"(integer) {r.value}\n"
    if k == "double":
        return f"(double) {_text(r.value)}\n"
    if k == "bulk":
        return repr_bytes(r.value) + "\n"
    if k == "verbatim":
        return _text(r.value[4:]) + "\n"      # without the "txt:" format prefix
    if k == "nil":
        return "(nil)\n"
    if k == "bool":
        return "(true)\n" if r.value else "(false)\n"
    if k == "bignum":
        return f"(big number) {_text(r.value)}\n"
    items = r.value
    if not items:
        return _EMPTY[k] + "\n"
    n = len(items) // 2 if k == "map" else len(items)
    idxlen = len(str(n))
    sub = prefix + " " * (idxlen + 2)
    sep = _SEP.get(k, ")")
    out = []
    step = 2 if k == "map" else 1
    for j, i in enumerate(range(0, len(items), step)):
        out.append(f"{'' if j == 0 else prefix}{j + 1:>{idxlen}}{sep} ")
        out.append(format_tty(items[i], sub))
        if k == "map":
            out[-1] = out[-1][:-1] + " => "
            val = items[i + 1]
            if _multiline(val):                 # a multi-line value starts on its own line
                out.append("\n" + sub)
            out.append(format_tty(val, sub))
    return "".join(out)


def format_raw(r: Reply) -> str:
    """redis-cli --raw (cliFormatReplyRaw), without the final newline."""
    k = r.kind
    if k == "nil":
        return ""
    if k in ("error", "status", "bulk"):
        return _text(r.value)
    if k == "verbatim":
        return _text(r.value[4:])
    if k in ("integer",):
        return str(r.value)
    if k in ("double", "bignum"):
        return _text(r.value)
    if k == "bool":
        return "(true)" if r.value else "(false)"
    return "\n".join(format_raw(e) for e in r.value)


def format_reply(r: Reply, raw: bool = False, args: list[bytes] | None = None) -> str:
    """What redis-cli prints for a reply (``args``: the command, for the ones redis-cli
    always prints raw, such as INFO and CLIENT LIST, with no newline added)."""
    if args and r.kind != "error" and prints_raw(args):
        return format_raw(r)
    return format_raw(r) + "\n" if raw else format_tty(r)


def prints_raw(args: list[bytes]) -> bool:
    """Commands whose text reply redis-cli shows as is, even on a terminal."""
    name = args[0].lower()
    sub = args[1].lower() if len(args) > 1 else b""
    n = len(args)
    if name in (b"info", b"lolwut"):
        return True
    return (name == b"debug" and sub in (b"htstats", b"htstats-key", b"client-eviction")) or \
        (name == b"memory" and sub in (b"malloc-stats", b"doctor")) or \
        (name == b"cluster" and n == 2 and sub in (b"nodes", b"info")) or \
        (name == b"client" and sub in (b"list", b"info")) or \
        (name == b"latency" and ((n == 3 and sub == b"graph") or (n == 2 and sub == b"doctor"))) or \
        (name == b"proxy" and sub == b"info")


# ---------------------------------------------------------------------- input
def split_args(line: str) -> list[bytes] | None:
    """redis-cli's sdssplitargs: quotes, escapes (\\n, \\xNN ...); None when quotes are
    unbalanced."""
    args = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i].isspace():
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
                if ch == "\\" and i + 3 < n and line[i + 1] == "x" and \
                        all(c in "0123456789abcdefABCDEF" for c in line[i + 2:i + 4]):
                    cur.append(int(line[i + 2:i + 4], 16))
                    i += 3
                elif ch == "\\" and i + 1 < n:
                    i += 1
                    cur += {"n": b"\n", "r": b"\r", "t": b"\t", "b": b"\b",
                            "a": b"\a"}.get(line[i], line[i].encode())
                elif ch == '"':
                    if i + 1 < n and not line[i + 1].isspace():
                        return None
                    inq = False
                else:
                    cur += ch.encode()
            elif insq:
                if i >= n:
                    return None
                ch = line[i]
                if ch == "\\" and i + 1 < n and line[i + 1] == "'":
                    i += 1
                    cur += b"'"
                elif ch == "'":
                    if i + 1 < n and not line[i + 1].isspace():
                        return None
                    insq = False
                else:
                    cur += ch.encode()
            else:
                if i >= n or line[i].isspace():
                    break
                ch = line[i]
                if ch == '"':
                    inq = True
                elif ch == "'":
                    insq = True
                else:
                    cur += ch.encode()
            i += 1
        args.append(bytes(cur))


def encode_command(args: list[bytes]) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


# ---------------------------------------------------------------------- connection
class _ClientProtocol(asyncio.Protocol):
    def __init__(self, conn: "AsyncRedisConnection"):
        self.conn = conn

    def data_received(self, data):
        for reply in self.conn.parser.feed(data):
            self.conn._on_reply(reply)

    def connection_lost(self, exc):
        self.conn._on_lost(exc)


class AsyncRedisConnection:
    """A pipelined RESP connection on the running asyncio loop.  ``on_push`` receives
    replies nobody waits for (pub/sub messages, MONITOR lines)."""

    def __init__(self, host: str, port: int, on_push=None):
        self.host, self.port = host, port
        self.parser = ReplyParser()
        self.transport = None
        self.waiting: deque[asyncio.Future] = deque()
        self.on_push = on_push
        self.closed = True
        self._connecting = None

    async def connect(self, timeout: float = 5.0):
        if self._connecting is None:            # concurrent callers share one attempt
            self._connecting = asyncio.ensure_future(self._connect(timeout))
        try:
            await asyncio.shield(self._connecting)
        finally:
            if self._connecting is not None and self._connecting.done():
                self._connecting = None

    async def _connect(self, timeout: float):
        loop = asyncio.get_running_loop()
        self.parser = ReplyParser()
        self.transport, _ = await asyncio.wait_for(
            loop.create_connection(lambda: _ClientProtocol(self), self.host, self.port),
            timeout)
        self.closed = False

    async def execute(self, *args: bytes) -> Reply:
        if self.transport is None or self.closed:
            await self.connect()
        fut = asyncio.get_running_loop().create_future()
        self.waiting.append(fut)
        self.transport.write(encode_command([a if isinstance(a, bytes) else str(a).encode()
                                             for a in args]))
        return await fut

    def _on_reply(self, reply: Reply):
        if reply.kind == "push" or not self.waiting:
            if self.on_push is not None:
                self.on_push(reply)
            return
        fut = self.waiting.popleft()
        if not fut.done():
            fut.set_result(reply)

    def _on_lost(self, exc):
        self.closed = True
        self.transport = None
        while self.waiting:
            fut = self.waiting.popleft()
            if not fut.done():
                fut.set_exception(ConnectionError("Server closed the connection"))

    def close(self):
        if self.transport is not None:
            self.transport.close()
            self.transport = None
        self.closed = True


# ---------------------------------------------------------------------- COMMAND DOCS
class CommandDoc:
    """One command (or "CONTAINER SUB" subcommand) as COMMAND DOCS describes it."""
    __slots__ = ("name", "summary", "since", "group", "syntax")

    def __init__(self, name: str, summary: str, since: str, group: str, syntax: str):
        self.name, self.summary, self.since, self.group, self.syntax = \
            name, summary, since, group, syntax

    def hint(self) -> str:
        line = f"{self.name} {self.syntax}".rstrip()
        return f"{line}  — {self.summary}" if self.summary else line


def _pairs(v) -> list:
    """A map reply (dict in RESP3, flat list in RESP2) as (key, value) pairs."""
    if isinstance(v, dict):
        return list(v.items())
    v = v or []
    return [(v[i], v[i + 1]) for i in range(0, len(v) - 1, 2)]


def _str(v) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else str(v)


def arg_syntax(arg: dict) -> str:
    """One argument in redis-cli's hint notation: ``[EX seconds|PX milliseconds]``,
    ``key [key ...]``, ``[GET pattern [GET pattern ...]]``."""
    typ = arg.get("type", "")
    token = arg.get("token")
    flags = arg.get("flags", ())
    subs = arg.get("arguments", ())
    if typ == "pure-token":
        inner = body = token or arg.get("name", "")
    else:
        if typ == "oneof":
            inner = "|".join(arg_syntax(a) for a in subs)
        elif typ == "block":
            inner = " ".join(arg_syntax(a) for a in subs)
        else:
            inner = arg.get("display_text") or arg.get("name", "")
        body = f"{token} {inner}" if token else inner
    if "multiple" in flags:
        again = body if "multiple_token" in flags else inner
        body = f"{body} [{again} ...]"
    return f"[{body}]" if "optional" in flags else body


def _arg(raw) -> dict:
    out = {}
    for k, v in _pairs(raw):
        k = _str(k)
        if k == "flags":
            out[k] = {_str(f) for f in (v or ())}
        elif k == "arguments":
            out[k] = [_arg(a) for a in v or ()]
        else:
            out[k] = _str(v) if isinstance(v, (bytes, bytearray)) else v
    return out


def parse_docs(reply) -> dict[str, CommandDoc]:
    """COMMAND DOCS (as ``Reply.to_python()``) -> {"SET": doc, "CONFIG GET": doc, ...}."""
    out: dict[str, CommandDoc] = {}

    def add(name, fields):
        f = {_str(k): v for k, v in _pairs(fields)}
        args = [_arg(a) for a in f.get("arguments") or ()]
        display = _str(name).replace("|", " ").upper()
        out[display] = CommandDoc(display, _str(f.get("summary", "")),
                                  _str(f.get("since", "")), _str(f.get("group", "")),
                                  " ".join(arg_syntax(a) for a in args))
        for sub, sf in _pairs(f.get("subcommands")):
            add(sub, sf)

    for name, fields in _pairs(reply):
        add(name, fields)
    return out


def complete(text: str, names) -> tuple[str | None, list[str]]:
    """Tab completion of a command name (one or two words): the completed text (None when
    nothing matches) and the candidates; several candidates complete to what they share.
    The case the user types in is kept."""
    stripped = text.lstrip()
    lead = text[:len(text) - len(stripped)]
    prefix = " ".join(stripped.split()).upper() + (" " if stripped.endswith(" ") and
                                                   stripped.strip() else "")
    cands = sorted(n for n in names if n.startswith(prefix))
    if not cands:
        return None, []
    if len(cands) == 1:
        done = cands[0] + " "
    else:
        done = cands[0]
        for c in cands[1:]:
            while not c.startswith(done):
                done = done[:-1]
    if stripped and stripped.replace(" ", "").islower():
        done = done.lower()
    return lead + done, cands


def doc_for(text: str, docs: dict) -> CommandDoc | None:
    """The documentation of the command typed so far (a subcommand when there is one)."""
    words = text.split()
    if not words:
        return None
    if len(words) > 1:
        d = docs.get(f"{words[0]} {words[1]}".upper())
        if d is not None:
            return d
    return docs.get(words[0].upper())
