"""COMMAND DOCS argument trees, declared in a compact Redis-like syntax.

A command's arguments are one string, read like the syntax line of the Redis docs with
the names and types Redis's JSON files give them::

    key:key value [condition{NX | XX}]@2.6.12 [GET]@6.2.0
    [expiration{EX seconds:integer | PX milliseconds:integer | KEEPTTL@6.0.0}]

- ``name`` is a string argument; ``name:type`` gives the type (key, integer, double,
  pattern, unix-time, string); ``#N`` after it is the key_spec_index (a ``key`` without
  one is key spec 0).  Names that are not plain words are quoted: ``'ip:port'``.
- ``NX`` (an upper-case word, or a quoted ``"~"``) is a pure token named after itself in
  lower case; ``name=TOKEN`` names it otherwise (``change=CH``).
- ``TOKEN item`` gives the item a token (``EX seconds:integer``, ``LIMIT limit(...)``).
- ``name(a b)`` is a block, ``name{a | b}`` a oneof.
- ``[item]`` is optional, ``item...`` multiple, ``[item]...`` optional, multiple and
  multiple_token (the token repeats: ``[GET pattern]...``).
- ``@7.0.0`` after an item is its since, ``!2.8.12`` its deprecated_since.

``parse`` builds ``Arg`` trees (what the GUI console completes from); ``Arg.reply`` is
the map COMMAND DOCS prints; ``render`` writes a tree back in this syntax.
"""
from __future__ import annotations

import re

_TOKEN_RE = re.compile(r"""\s*(?:
    (?P<dots>\.\.\.)
  | (?P<punct>[\[\](){}|])
  | @(?P<since>[0-9.]+)
  | !(?P<dep>[0-9.]+)
  | (?P<name>[a-z][a-z0-9_-]*|'[^']*')
        (?::(?P<type>[a-z-]+))?(?:\#(?P<ksi>\d+))?(?:=(?P<ptok>[A-Z][A-Z0-9_-]*|"[^"]*"))?
  | (?P<tok>[A-Z][A-Z0-9_-]*|"[^"]*")
)""", re.X)

_TYPES = {"key", "string", "integer", "double", "pattern", "unix-time"}


class Arg:
    __slots__ = ("name", "type", "key_spec_index", "token", "since", "deprecated_since",
                 "optional", "multiple", "multiple_token", "args")

    def __init__(self, name, type, token=None, key_spec_index=None, args=()):
        self.name = name
        self.type = type
        self.key_spec_index = key_spec_index
        self.token = token
        self.since = None
        self.deprecated_since = None
        self.optional = self.multiple = self.multiple_token = False
        self.args = list(args)

    def flags(self) -> list[str]:
        return [f for f, on in (("optional", self.optional), ("multiple", self.multiple),
                                ("multiple_token", self.multiple_token)) if on]

    def reply(self) -> dict:
        """The argument's COMMAND DOCS map, fields in Redis's order."""
        from .replies import SetReply, Status
        out = {b"name": self.name.encode(), b"type": self.type.encode()}
        if self.key_spec_index is not None:
            out[b"key_spec_index"] = self.key_spec_index
        if self.token is not None:
            out[b"token"] = self.token.encode()
        if self.since:
            out[b"since"] = self.since.encode()
        if self.deprecated_since:
            out[b"deprecated_since"] = self.deprecated_since.encode()
        flags = self.flags()
        if flags:
            out[b"flags"] = SetReply(Status(f.encode()) for f in flags)
        if self.args:
            out[b"arguments"] = [a.reply() for a in self.args]
        return out

    def __repr__(self):
        return f"Arg({render([self])!r})"


def _unquote(s: str) -> str:
    return s[1:-1] if s[:1] in "'\"" else s


def _lex(text: str) -> list[tuple[str, dict]]:
    out, pos, n = [], 0, len(text)
    while pos < n:
        if text[pos:].strip() == "":
            break
        m = _TOKEN_RE.match(text, pos)
        if m is None or m.end() == pos:
            raise ValueError(f"bad argument syntax at {text[pos:pos + 20]!r} in {text!r}")
        pos = m.end()
        kind = next(k for k in ("dots", "punct", "since", "dep", "name", "tok")
                    if m.group(k) is not None)
        out.append((kind, m.groupdict()))
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _lex(text)
        self.i = 0

    def peek(self, value=None):
        if self.i >= len(self.toks):
            return None
        kind, g = self.toks[self.i]
        if value is not None:
            return kind == "punct" and g["punct"] == value
        return kind

    def take(self, value):
        if not self.peek(value):
            raise ValueError(f"expected {value!r} in {self.text!r}")
        self.i += 1

    def seq(self, stop=None) -> list[Arg]:
        out = []
        while self.peek() is not None and not (stop and any(self.peek(s) for s in stop)):
            out.append(self.item())
        return out

    def item(self) -> Arg:
        if self.peek("["):
            self.i += 1
            arg = self.inner()
            self.take("]")
            arg.optional = True
            if self.peek() == "dots":
                self.i += 1
                arg.multiple = arg.multiple_token = True
        else:
            arg = self.inner()
        self.suffixes(arg)
        return arg

    def suffixes(self, arg: Arg):
        while self.i < len(self.toks):
            kind, g = self.toks[self.i]
            if kind == "dots":
                arg.multiple = True
            elif kind == "since":
                arg.since = g["since"]
            elif kind == "dep":
                arg.deprecated_since = g["dep"]
            else:
                return
            self.i += 1

    def inner(self) -> Arg:
        kind, g = self.toks[self.i]
        token = None
        if kind == "tok":
            token = _unquote(g["tok"])
            self.i += 1
            if self.peek() != "name":       # nothing follows it: a pure token
                arg = Arg(token.lower(), "pure-token", token)
                self.suffixes(arg)
                return arg
            kind, g = self.toks[self.i]
        if kind != "name":
            raise ValueError(f"expected an argument in {self.text!r}")
        self.i += 1
        name = _unquote(g["name"])
        if g["ptok"] is not None:
            arg = Arg(name, "pure-token", _unquote(g["ptok"]))
        elif self.peek("("):
            self.i += 1
            arg = Arg(name, "block", token, args=self.seq(")"))
            self.take(")")
        elif self.peek("{"):
            self.i += 1
            alts = [self.item()]
            while self.peek("|"):
                self.i += 1
                alts.append(self.item())
            self.take("}")
            arg = Arg(name, "oneof", token, args=alts)
        else:
            typ = g["type"] or "string"
            if typ not in _TYPES:
                raise ValueError(f"unknown argument type {typ!r} in {self.text!r}")
            ksi = int(g["ksi"]) if g["ksi"] is not None else (0 if typ == "key" else None)
            arg = Arg(name, typ, token, ksi)
        self.suffixes(arg)
        return arg


def parse(text: str) -> list[Arg]:
    p = _Parser(text)
    out = p.seq()
    if p.i != len(p.toks):
        raise ValueError(f"unbalanced argument syntax {text!r}")
    return out


def _q(name: str) -> str:
    return name if re.fullmatch(r"[a-z][a-z0-9_-]*", name) else f"'{name}'"


def _qt(token: str) -> str:
    return token if re.fullmatch(r"[A-Z][A-Z0-9_-]*", token) else f'"{token}"'


def _render(a: Arg) -> str:
    if a.type == "pure-token":
        s = _qt(a.token) if a.name == a.token.lower() else f"{_q(a.name)}={_qt(a.token)}"
    else:
        s = f"{_qt(a.token)} " if a.token is not None else ""
        if a.type == "block":
            s += f"{_q(a.name)}({render(a.args)})"
        elif a.type == "oneof":
            s += f"{_q(a.name)}{{{' | '.join(_render(x) for x in a.args)}}}"
        else:
            s += _q(a.name)
            if a.type != "string":
                s += f":{a.type}"
            if a.key_spec_index is not None and (a.type != "key" or a.key_spec_index):
                s += f"#{a.key_spec_index}"
    if a.multiple and not a.multiple_token:
        s += "..."
    if a.optional:
        s = f"[{s}]" + ("..." if a.multiple_token else "")
    if a.since:
        s += f"@{a.since}"
    if a.deprecated_since:
        s += f"!{a.deprecated_since}"
    return s


def render(args) -> str:
    """The syntax string for an argument list (parse's inverse)."""
    return " ".join(_render(a) for a in args)
