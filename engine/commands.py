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
    """Where the keys are, as a Redis 7 key specification.

    begin_search: ``index`` at argv[begin], or ``keyword`` (search for it starting at
    argv[begin]; a negative begin searches backwards from the end), or ``unknown``.
    find_keys: ``range`` (lastkey relative to the first key, -1 = the last arg; step;
    limit) or ``keynum`` when ``numkeys_at`` is not None (the count is at
    first + max(numkeys_at - 1, 0), keys start at first + (numkeys_at or 1)).
    ``notes`` is what COMMAND INFO/DOCS print beside the flags."""
    begin: int = 1
    last: int = 0
    step: int = 1
    limit: int = 0
    numkeys_at: int | None = None
    keyword: str | None = None  # begin search by keyword (e.g. STREAMS), from begin
    flags: frozenset = frozenset()
    notes: str | None = None
    unknown: bool = False       # keys Redis cannot locate (SORT's BY/GET patterns)

    def __init__(self, begin=1, last=0, step=1, limit=0, numkeys_at=None,
                 keyword=None, flags=(), notes=None, unknown=False):
        object.__setattr__(self, "begin", begin)
        object.__setattr__(self, "last", last)
        object.__setattr__(self, "step", step)
        object.__setattr__(self, "limit", limit)
        object.__setattr__(self, "numkeys_at", numkeys_at)
        object.__setattr__(self, "keyword", keyword)
        object.__setattr__(self, "flags", frozenset(flags))
        object.__setattr__(self, "notes", notes)
        object.__setattr__(self, "unknown", unknown)

    @property
    def is_index_range(self) -> bool:
        return not self.unknown and self.keyword is None and self.numkeys_at is None

    @property
    def keynum(self) -> tuple[int, int]:
        """(keynumidx, firstkey) as COMMAND INFO prints them."""
        k = self.numkeys_at or 0
        return max(k - 1, 0), k or 1

    def find(self, argv):
        """Redis's getKeysUsingKeySpecs for this spec: a list of positions, or None when
        the arguments do not fit (the 'invalid spec' case)."""
        n = len(argv)
        if self.unknown:
            return None
        first = self.begin
        if self.keyword is not None:
            kw = self.keyword.encode().lower()
            start = self.begin if self.begin > 0 else n + self.begin
            end = n - 1 if self.begin > 0 else 1
            first = 0
            i = start
            while i != end:
                if i >= n or i < 1:
                    break
                if argv[i].lower() == kw:
                    first = i + 1
                    break
                i = i + 1 if start <= end else i - 1
            if not first:
                return []
        if self.numkeys_at is None:
            step = self.step
            if self.last >= 0:
                last = first + self.last
            elif not self.limit:
                last = n + self.last
            else:
                last = first + ((n - first) // self.limit + self.last)
        else:
            step = self.step
            idx, firstkey = self.keynum
            if first + idx >= n:
                return None
            from .parsing import to_int
            count = to_int(argv[first + idx])
            if count is None or count < 0:
                return None
            first += firstkey
            last = first + count - 1
        if last >= n or last < first or first >= n:
            return None
        return list(range(first, last + 1, step))

    def positions(self, argv) -> list[int]:
        return self.find(argv) or []


# COMMAND INFO prints flags in this order; may_replicate is hidden, as in Redis
_FLAG_ORDER = [f for f in Flag if f is not Flag.MAY_REPLICATE]
_ACL_ORDER = list(Acl)
_KS_ORDER = list(KS)


@dataclass(eq=False)          # identity hash: INFO commandstats counts by spec
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
    tips: tuple = ()               # COMMAND INFO tips ("nondeterministic_output", ...)
    history: tuple = ()            # COMMAND DOCS history: (version, text) pairs
    doc_flags: tuple = ()          # COMMAND DOCS doc_flags ("deprecated", "syscmd")
    deprecated_since: str = ""
    replaced_by: str = ""
    arguments_syntax: str | None = None  # engine.argspec syntax; None: engine.command_args
    getkeys: Callable | None = None  # argv -> [(pos, flags)], where key specs cannot say

    _arguments: list | None = None  # parsed on first use (COMMAND DOCS, the GUI console)
    skip_monitor: bool = False     # cached from flags for the dispatcher's hot path
    skip_slowlog: bool = False
    fast: bool = False

    def __post_init__(self):
        self.no_auth = Flag.NO_AUTH in self.flags
        # MONITOR skips admin commands and skip_monitor ones, except EVAL/FCALL, which Redis
        # feeds itself before the commands they run (we feed everything before running)
        self.skip_monitor = Flag.ADMIN in self.flags or (
            Flag.SKIP_MONITOR in self.flags and self.group != "scripting")
        self.skip_slowlog = Flag.SKIP_SLOWLOG in self.flags
        self.fast = Flag.FAST in self.flags

    @property
    def arguments(self) -> list:
        """COMMAND DOCS arguments as engine.argspec.Arg trees: the decorator's syntax, or
        the imported Redis 7.0.15 one (engine.command_args)."""
        if self._arguments is None:
            from . import argspec
            text = self.arguments_syntax
            if text is None:
                from .command_args import ARGS
                text = ARGS.get(self.name, "")
            self._arguments = argspec.parse(text)
        return self._arguments

    @property
    def fullname(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """Name as error messages print it ('config|get')."""
        return self.name

    def categories(self) -> list[str]:
        """ACL categories in Redis's order: declared ones plus those Redis derives from
        the flags (setImplicitACLCategories)."""
        cats = set(self.acl)
        f = self.flags
        if Flag.WRITE in f:
            cats.add(Acl.WRITE)
        if Flag.READONLY in f and Acl.SCRIPTING not in cats:
            cats.add(Acl.READ)
        if Flag.ADMIN in f:
            cats |= {Acl.ADMIN, Acl.DANGEROUS}
        if Flag.PUBSUB in f:
            cats.add(Acl.PUBSUB)
        if Flag.FAST in f:
            cats.add(Acl.FAST)
        if Flag.BLOCKING in f:
            cats.add(Acl.BLOCKING)
        if Acl.FAST not in cats:
            cats.add(Acl.SLOW)
        return [a.value for a in _ACL_ORDER if a in cats]

    def legacy(self) -> tuple[int, int, int, bool]:  # noqa: C901
        """(first, last, step, movable): COMMAND INFO's legacy key range and whether the
        keys are movable, computed as Redis's populateCommandLegacyRangeSpec does."""
        specs = self.keys
        movable = Flag.MOVABLEKEYS in self.flags
        if not specs:
            return 0, 0, 0, movable
        if len(specs) == 1 and specs[0].is_index_range:
            ks = specs[0]
            movable = movable or KS.INCOMPLETE in ks.flags
            last = ks.last + ks.begin if ks.last >= 0 else ks.last
            return ks.begin, last, ks.step, movable
        first, last, prev_last = None, 0, 0
        for ks in specs:
            if not ks.is_index_range or ks.step != 1 or \
                    (prev_last and prev_last != ks.begin - 1):
                movable = True
                continue
            if KS.INCOMPLETE in ks.flags:
                movable = True
            first = ks.begin if first is None else min(first, ks.begin)
            abs_last = ks.last + ks.begin if ks.last >= 0 else ks.last
            last = max(last % 2**32, abs_last % 2**32)      # unsigned, as in Redis
            last = last - 2**32 if last >= 2**31 else last
            prev_last = last
        if first is None:
            return 0, 0, 0, True
        return first, last, 1, movable

    def legacy_range(self) -> tuple[int, int, int]:
        """(first, last, step) as COMMAND INFO's legacy fields report them."""
        return self.legacy()[:3]

    def flag_names(self) -> list[str]:
        f = set(self.flags)
        if self.legacy()[3]:
            f.add(Flag.MOVABLEKEYS)
        return [x.value for x in _FLAG_ORDER if x in f]

    def has_keys(self) -> bool:
        return self.getkeys is not None or any(KS.NOT_KEY not in ks.flags for ks in self.keys)

    def key_positions_flags(self, argv) -> list:
        """Redis's getKeysFromCommandWithSpecs for a full argv: [(position, flags)], empty
        when the arguments do not fit.  Key specs are preferred unless their flags vary
        with the arguments (SET ... GET) or they cannot tell (SORT BY): then the
        command's own ``getkeys`` (argv -> [(position, flags)] or None) decides."""
        keyed = [ks for ks in self.keys if KS.NOT_KEY not in ks.flags]
        varflags = any(KS.VARIABLE_FLAGS in ks.flags for ks in self.keys)
        if keyed and not (varflags and self.getkeys is not None):
            out = []
            for ks in keyed:
                found = ks.find(argv)
                if found is None:
                    out = None
                    break
                out.extend((i, ks.flags) for i in found)
            if out is not None:
                return out
        if self.getkeys is not None:
            return self.getkeys(argv) or []
        return []

    def key_positions(self, argv) -> list[int]:
        seen, out = set(), []
        for ks in self.keys:
            for i in ks.positions(argv):
                if i not in seen:
                    seen.add(i)
                    out.append(i)
        return out


def key_flag_names(flags) -> list[str]:
    return [k.value for k in _KS_ORDER if k in flags]


# bytes (lowercase name) -> CommandSpec
TABLE: dict[bytes, CommandSpec] = {}


def command(name: str, *, arity: int, group: str, since: str = "1.0.0", flags=(),
            acl=(), keys=(), summary: str = "", complexity: str = "", tips=(),
            history=(), doc_flags=(), deprecated_since: str = "", replaced_by: str = "",
            arguments: str | None = None, getkeys=None):
    """Declare a command.  The decorated function is called as ``fn(client, *argv[1:])``
    (for a subcommand ``fn(client, *argv[2:])``) after arity and policy checks.
    ``arguments`` is the COMMAND DOCS argument tree in engine.argspec's syntax
    (default: Redis 7.0.15's, from engine.command_args)."""
    def deco(fn):
        parts = name.lower().split(" ")
        spec = CommandSpec(
            name="|".join(parts), fn=fn, arity=arity, group=group, since=since,
            flags=frozenset(flags), acl=frozenset(acl), keys=tuple(keys),
            summary=summary, complexity=complexity, doc=(fn.__doc__ or "").strip(),
            tips=tuple(tips), history=tuple(history), doc_flags=tuple(doc_flags),
            deprecated_since=deprecated_since, replaced_by=replaced_by,
            arguments_syntax=arguments, getkeys=getkeys)
        if len(parts) == 1:
            prev = TABLE.get(parts[0].encode())
            if prev is not None:
                spec.subcommands = prev.subcommands
                for sub in spec.subcommands.values():
                    sub.container = spec
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


def container(name: str, *, group: str, since: str = "1.0.0", summary: str = "",
              complexity: str = "Depends on subcommand.") -> CommandSpec:
    """Declare a container command (CONFIG, CLIENT, OBJECT, ...): arity -2, no function
    of its own; dispatch goes to the subcommand."""
    key = name.lower().encode()
    spec = TABLE.get(key)
    if spec is None:
        spec = CommandSpec(name=name.lower(), fn=None, arity=-2, group=group, since=since,
                           flags=frozenset(), acl=frozenset(), keys=(), summary=summary,
                           complexity=complexity)
        TABLE[key] = spec
    else:
        if summary:
            spec.summary = summary
        if spec.fn is None:
            spec.group, spec.since = group, since
            spec.complexity = complexity
    return spec


def lookup(argv) -> CommandSpec | None:
    """The spec argv names (subcommand resolved), or None when the command is unknown.
    An unknown subcommand returns the container (the dispatcher words the error)."""
    spec = TABLE.get(argv[0].lower())
    if spec is not None and spec.subcommands and len(argv) > 1:
        return spec.subcommands.get(argv[1].lower(), spec)
    return spec


def lookup_strict(argv) -> CommandSpec | None:
    """Redis's lookupCommand: a command with subcommands and 2+ args must name a known
    subcommand; otherwise None."""
    spec = TABLE.get(argv[0].lower())
    if spec is not None and spec.subcommands and len(argv) > 1:
        return spec.subcommands.get(argv[1].lower())
    return spec


def lookup_name(name: bytes) -> CommandSpec | None:
    """'get' or 'config|get' (any case), as COMMAND INFO/DOCS take names."""
    parts = name.lower().split(b"|")
    spec = TABLE.get(parts[0])
    if spec is None or len(parts) == 1:
        return spec if len(parts) == 1 else None
    if len(parts) != 2:
        return None
    return spec.subcommands.get(parts[1])
