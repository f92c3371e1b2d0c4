"""The command table: every command is declared once, as data.

``@command`` records a ``CommandSpec``; the dispatcher enforces arity, flags and ACL
from it, and COMMAND INFO/DOCS/COUNT/LIST/GETKEYS, ACL categories and the GUI console
read the same table.  A name with a space ("CONFIG GET") declares a subcommand of the
container command ("CONFIG"), as Redis 7 does.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Callable


class Flag(str, enum.Enum):
    WRITE = "write"
    READONLY = "readonly"
    DENYOOM = "denyoom"
    ADMIN = "admin"
    PUBSUB = "pubsub"
    NOSCRIPT = "noscript"
    BLOCKING = "blocking"
    LOADING = "loading"
    STALE = "stale"
    SKIP_MONITOR = "skip_monitor"
    SKIP_SLOWLOG = "skip_slowlog"
    FAST = "fast"
    NO_AUTH = "no_auth"
    MAY_REPLICATE = "may_replicate"
    NO_MANDATORY_KEYS = "no_mandatory_keys"
    NO_ASYNC_LOADING = "no_async_loading"
    NO_MULTI = "no_multi"
    MOVABLEKEYS = "movablekeys"
    ALLOW_BUSY = "allow_busy"


class Acl(str, enum.Enum):
    KEYSPACE = "keyspace"
    READ = "read"
    WRITE = "write"
    SET = "set"
    SORTEDSET = "sortedset"
    LIST = "list"
    HASH = "hash"
    STRING = "string"
    BITMAP = "bitmap"
    HYPERLOGLOG = "hyperloglog"
    GEO = "geo"
    STREAM = "stream"
    PUBSUB = "pubsub"
    ADMIN = "admin"
    FAST = "fast"
    SLOW = "slow"
    BLOCKING = "blocking"
    DANGEROUS = "dangerous"
    CONNECTION = "connection"
    TRANSACTION = "transaction"
    SCRIPTING = "scripting"


class KS(str, enum.Enum):
    """Key-spec flags (COMMAND INFO key specifications)."""
    RO = "RO"
    RW = "RW"
    OW = "OW"
    RM = "RM"
    ACCESS = "access"
    UPDATE = "update"
    INSERT = "insert"
    DELETE = "delete"
    NOT_KEY = "not_key"
    INCOMPLETE = "incomplete"
    VARIABLE_FLAGS = "variable_flags"


@dataclass(frozen=True)
class KeySpec:
    """Where the keys are: begin at argv[begin], then either a range
    (lastkey relative to begin, -1 = last arg; step; limit) or a key count at
    argv[begin + numkeys_at] (``numkeys_at`` not None: keys follow the count)."""
    begin: int = 1
    last: int = 0
    step: int = 1
    limit: int = 0
    numkeys_at: int | None = None
    keyword: str | None = None  # begin search by keyword (e.g. STREAMS), from begin
    flags: frozenset = frozenset()

    def __init__(self, begin=1, last=0, step=1, limit=0, numkeys_at=None,
                 keyword=None, flags=()):
        object.__setattr__(self, "begin", begin)
        object.__setattr__(self, "last", last)
        object.__setattr__(self, "step", step)
        object.__setattr__(self, "limit", limit)
        object.__setattr__(self, "numkeys_at", numkeys_at)
        object.__setattr__(self, "keyword", keyword)
        object.__setattr__(self, "flags", frozenset(flags))

    def positions(self, argv) -> list[int]:
        n = len(argv)
        start = self.begin
        if self.keyword is not None:
            kw = self.keyword.encode().lower()
            start = next((i + 1 for i in range(self.begin, n) if argv[i].lower() == kw), 0)
            if not start:
                return []
        if start >= n:
            return []
        if self.numkeys_at is not None:
            try:
                count = int(argv[start + self.numkeys_at - 1] if self.numkeys_at else argv[start])
            except (ValueError, IndexError):
                return []
            first = start + (self.numkeys_at or 1)
            return [i for i in range(first, min(n, first + count * self.step), self.step)]
        last = n + self.last if self.last < 0 else start + self.last
        if self.limit > 1 and self.last == -1:
            last = start + (n - start) // self.limit - 1
        return list(range(start, min(last, n - 1) + 1, self.step))


@dataclass
class CommandSpec:
    name: str                      # "get", "config|get"
    fn: Callable | None
    arity: int
    group: str
    since: str
    flags: frozenset
    acl: frozenset
    keys: tuple
    summary: str
    complexity: str = ""
    doc: str = ""
    subcommands: dict = field(default_factory=dict)   # bytes -> CommandSpec
    container: "CommandSpec | None" = None
    no_auth: bool = False          # cached from flags: checked on every unauthenticated call

    def __post_init__(self):
        self.no_auth = Flag.NO_AUTH in self.flags

    @property
    def fullname(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """Name as error messages print it ('config|get')."""
        return self.name

    def categories(self) -> set[str]:
        """ACL categories: declared ones plus those Redis derives from the flags."""
        cats = {a.value for a in self.acl}
        f = self.flags
        if Flag.WRITE in f:
            cats.add("write")
        if Flag.READONLY in f and "scripting" not in cats:
            cats.add("read")
        if Flag.ADMIN in f:
            cats |= {"admin", "dangerous"}
        if Flag.PUBSUB in f:
            cats.add("pubsub")
        if Flag.FAST in f:
            cats.add("fast")
        if Flag.BLOCKING in f:
            cats.add("blocking")
        if Flag.FAST not in f:
            cats.add("slow")
        return cats

    def key_positions(self, argv) -> list[int]:
        seen, out = set(), []
        for ks in self.keys:
            for i in ks.positions(argv):
                if i not in seen:
                    seen.add(i)
                    out.append(i)
        return out

    def legacy_range(self) -> tuple[int, int, int]:
        """(first, last, step) as COMMAND INFO's legacy fields report them."""
        if not self.keys:
            return 0, 0, 0
        ks = self.keys[0]
        if ks.numkeys_at is not None or ks.keyword is not None:
            return 0, 0, 0
        first = ks.begin
        if ks.last < 0:
            last = ks.last
        else:
            last = ks.begin + ks.last
        for other in self.keys[1:]:
            if other.numkeys_at is None and other.keyword is None and other.last >= 0:
                last = max(last, other.begin + other.last) if last >= 0 else last
        return first, last, ks.step


# bytes (lowercase name) -> CommandSpec
TABLE: dict[bytes, CommandSpec] = {}


def command(name: str, *, arity: int, group: str, since: str = "1.0.0", flags=(),
            acl=(), keys=(), summary: str = "", complexity: str = ""):
    """Declare a command.  The decorated function is called as ``fn(client, *argv[1:])``
    (for a subcommand ``fn(client, *argv[2:])``) after arity and policy checks."""
    def deco(fn):
        parts = name.lower().split(" ")
        spec = CommandSpec(
            name="|".join(parts), fn=fn, arity=arity, group=group, since=since,
            flags=frozenset(flags), acl=frozenset(acl), keys=tuple(keys),
            summary=summary, complexity=complexity, doc=(fn.__doc__ or "").strip())
        if len(parts) == 1:
            prev = TABLE.get(parts[0].encode())
            if prev is not None:
                spec.subcommands = prev.subcommands
            TABLE[parts[0].encode()] = spec
        else:
            parent = TABLE.get(parts[0].encode())
            if parent is None:   # container declared later: make a placeholder
                parent = container(parts[0].upper(), group=group, since=since)
            spec.container = parent
            parent.subcommands[parts[1].encode()] = spec
        fn.spec = spec
        return fn
    return deco


def container(name: str, *, group: str, since: str = "1.0.0", summary: str = "") -> CommandSpec:
    """Declare a container command (CONFIG, CLIENT, OBJECT, ...): arity -2, no function
    of its own; dispatch goes to the subcommand."""
    key = name.lower().encode()
    spec = TABLE.get(key)
    if spec is None:
        spec = CommandSpec(name=name.lower(), fn=None, arity=-2, group=group, since=since,
                           flags=frozenset(), acl=frozenset(), keys=(), summary=summary)
        TABLE[key] = spec
    elif summary:
        spec.summary = summary
    return spec


def lookup(argv) -> CommandSpec | None:
    """The spec argv names (subcommand resolved), or None when the command is unknown.
    An unknown subcommand returns the container (the dispatcher words the error)."""
    spec = TABLE.get(argv[0].lower())
    if spec is not None and spec.subcommands and len(argv) > 1:
        return spec.subcommands.get(argv[1].lower(), spec)
    return spec
