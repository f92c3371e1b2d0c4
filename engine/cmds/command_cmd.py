"""COMMAND, COMMAND COUNT/INFO/DOCS/LIST/GETKEYS/GETKEYSANDFLAGS/HELP: the command
table (engine.commands.TABLE) in Redis 7.0's reply shapes."""
from engine.commands import KS, TABLE, Acl, Flag, command, key_flag_names, lookup_name, \
    lookup_strict
from engine.errors import SYNTAX, RedisError
from engine.glob import glob_match
from engine.replies import SetReply, Status

_FLAGS = {Flag.LOADING, Flag.STALE}
CONN = {Acl.CONNECTION}

HELP = [
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    "HELP",
    "    Prints this help.",
]


def _statuses(names) -> SetReply:
    return SetReply(Status(n.encode()) for n in names)


def _key_spec(ks) -> dict:
    out = {}
    if ks.notes:
        out[b"notes"] = ks.notes.encode()
    out[b"flags"] = _statuses(key_flag_names(ks.flags))
    if ks.unknown:
        out[b"begin_search"] = {b"type": b"unknown", b"spec": {}}
        out[b"find_keys"] = {b"type": b"unknown", b"spec": {}}
        return out
    if ks.keyword is not None:
        out[b"begin_search"] = {b"type": b"keyword", b"spec": {
            b"keyword": ks.keyword.encode(), b"startfrom": ks.begin}}
    else:
        out[b"begin_search"] = {b"type": b"index", b"spec": {b"index": ks.begin}}
    if ks.numkeys_at is not None:
        idx, first = ks.keynum
        out[b"find_keys"] = {b"type": b"keynum", b"spec": {
            b"keynumidx": idx, b"firstkey": first, b"keystep": ks.step}}
    else:
        out[b"find_keys"] = {b"type": b"range", b"spec": {
            b"lastkey": ks.last, b"keystep": ks.step, b"limit": ks.limit}}
    return out


def command_info(spec) -> list:
    """addReplyCommandInfo: name, arity, flags, first/last/step, ACL categories, tips,
    key specs, subcommands (an empty one is a set, as Redis encodes it)."""
    first, last, step, _ = spec.legacy()
    subs = [command_info(s) for s in spec.subcommands.values()]
    return [spec.name.encode(), spec.arity, _statuses(spec.flag_names()), first, last, step,
            _statuses("@" + c for c in spec.categories()),
            SetReply(t.encode() for t in spec.tips),
            SetReply(_key_spec(ks) for ks in spec.keys),
            subs if subs else SetReply()]


def _group(spec) -> bytes:
    return spec.group.replace("_", "-").encode()


def command_docs(spec) -> dict:
    """addReplyCommandDocs: Redis's fields in its order (history a set of pairs)."""
    out = {}
    if spec.summary:
        out[b"summary"] = spec.summary.encode()
    if spec.since:
        out[b"since"] = spec.since.encode()
    out[b"group"] = _group(spec)
    if spec.complexity:
        out[b"complexity"] = spec.complexity.encode()
    if spec.doc_flags:
        out[b"doc_flags"] = _statuses(spec.doc_flags)
    if spec.deprecated_since:
        out[b"deprecated_since"] = spec.deprecated_since.encode()
    if spec.replaced_by:
        out[b"replaced_by"] = spec.replaced_by.encode()
    if spec.history:
        out[b"history"] = SetReply([v.encode(), t.encode()] for v, t in spec.history)
    args = spec.arguments
    if args:
        out[b"arguments"] = [a.reply() for a in args]
    if spec.subcommands:
        out[b"subcommands"] = {s.name.encode(): command_docs(s)
                               for s in spec.subcommands.values()}
    return out


@command("COMMAND", arity=-1, group="server", since="2.8.13", flags=_FLAGS, acl=CONN,
         tips=["nondeterministic_output_order"],
         summary="Get array of Redis command details",
         complexity="O(N) where N is the total number of Redis commands")
def cmd_command(c):
    """COMMAND"""
    return [command_info(s) for s in TABLE.values()]


@command("COMMAND COUNT", arity=2, group="server", since="2.8.13", flags=_FLAGS, acl=CONN,
         summary="Get total number of Redis commands", complexity="O(1)")
def cmd_command_count(c):
    """COMMAND COUNT"""
    return len(TABLE)


@command("COMMAND INFO", arity=-2, group="server", since="2.8.13", flags=_FLAGS, acl=CONN,
         tips=["nondeterministic_output_order"],
         summary="Get array of specific Redis command details, or all when no argument is "
                 "given.",
         complexity="O(N) where N is the number of commands to look up",
         history=[("7.0.0", "Allowed to be called with no argument to get info on all "
                            "commands.")])
def cmd_command_info(c, *names):
    """COMMAND INFO [command-name [command-name ...]]"""
    if not names:
        return [command_info(s) for s in TABLE.values()]
    out = []
    for n in names:
        spec = lookup_name(n)
        out.append(command_info(spec) if spec is not None else None)
    return out


@command("COMMAND DOCS", arity=-2, group="server", since="7.0.0", flags=_FLAGS, acl=CONN,
         tips=["nondeterministic_output_order"],
         summary="Get array of specific Redis command documentation",
         complexity="O(N) where N is the number of commands to look up")
def cmd_command_docs(c, *names):
    """COMMAND DOCS [command-name [command-name ...]]"""
    if not names:
        return {s.name.encode(): command_docs(s) for s in TABLE.values()}
    pairs = []
    for n in names:
        spec = lookup_name(n)
        if spec is not None:
            pairs.append((spec.name.encode(), command_docs(spec)))
    if c.resp == 2:         # a name asked twice is answered twice, as Redis does
        return [x for pair in pairs for x in pair]
    return dict(pairs)


def _all_specs():
    for spec in TABLE.values():
        yield spec
        yield from spec.subcommands.values()


@command("COMMAND LIST", arity=-2, group="server", since="7.0.0", flags=_FLAGS, acl=CONN,
         tips=["nondeterministic_output_order"],
         summary="Get an array of Redis command names",
         complexity="O(N) where N is the total number of Redis commands")
def cmd_command_list(c, *args):
    """COMMAND LIST [FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]"""
    kind = arg = None
    i, n = 0, len(args)
    while i < n:
        if args[i].lower() == b"filterby" and n - 1 - i == 2:
            kind = args[i + 1].lower()
            if kind not in (b"module", b"aclcat", b"pattern"):
                raise SYNTAX
            arg = args[i + 2]
            i += 3
        else:
            raise SYNTAX
    if kind is None:
        return [s.name.encode() for s in _all_specs()]
    if kind == b"module":
        return []                               # no modules can be loaded
    if kind == b"aclcat":
        cat = arg.decode("utf-8", "replace").lower()
        return [s.name.encode() for s in _all_specs() if cat in s.categories()]
    return [s.name.encode() for s in _all_specs()
            if glob_match(arg, s.name.encode(), nocase=True)]


# Commands whose key flags depend on the arguments (Redis's getkeys procs for
# VARIABLE_FLAGS key specs); GETKEYSANDFLAGS reports what this call would do.
def _set_flags(argv):
    if any(a.lower() == b"get" for a in argv[3:]):
        return frozenset({KS.RW, KS.ACCESS, KS.UPDATE})
    return frozenset({KS.OW, KS.UPDATE})


def _bitfield_flags(argv):
    i, n, readonly = 2, len(argv), True
    while i < n:
        op = argv[i].lower()
        if op == b"get" and i + 2 < n:
            i += 3
        elif op in (b"set", b"incrby") and i + 3 < n:
            readonly = False
            i += 4
        elif op == b"overflow" and i + 1 < n:
            i += 2
        else:
            readonly = False
            break
    if readonly:
        return frozenset({KS.RO, KS.ACCESS})
    return frozenset({KS.RW, KS.ACCESS, KS.UPDATE})


_VARIABLE_FLAGS = {"set": _set_flags, "bitfield": _bitfield_flags}


def _getkeys(c, argv, with_flags: bool):
    spec = lookup_strict(argv)
    if spec is None:
        raise RedisError("ERR Invalid command specified")
    if not spec.has_keys():
        raise RedisError("ERR The command has no key arguments")
    n, arity = len(argv), spec.arity
    if (arity > 0 and arity != n) or n < -arity:
        raise RedisError("ERR Invalid number of arguments specified for command")
    keys = spec.key_positions_flags(argv)
    if not keys:
        if Flag.NO_MANDATORY_KEYS in spec.flags:
            return []
        raise RedisError("ERR Invalid arguments specified for command")
    varflags = _VARIABLE_FLAGS.get(spec.name)
    if not with_flags:
        return [argv[i] for i, _ in keys]
    out = []
    for i, flags in keys:
        if varflags is not None and KS.VARIABLE_FLAGS in flags:
            flags = varflags(argv)
        out.append([argv[i], _statuses(key_flag_names(flags))])
    return out


@command("COMMAND GETKEYS", arity=-4, group="server", since="2.8.13", flags=_FLAGS,
         acl=CONN, summary="Extract keys given a full Redis command",
         complexity="O(N) where N is the number of arguments to the command")
def cmd_command_getkeys(c, *argv):
    """COMMAND GETKEYS command [arg [arg ...]]"""
    return _getkeys(c, list(argv), False)


@command("COMMAND GETKEYSANDFLAGS", arity=-4, group="server", since="7.0.0", flags=_FLAGS,
         acl=CONN, summary="Extract keys and access flags given a full Redis command",
         complexity="O(N) where N is the number of arguments to the command")
def cmd_command_getkeysandflags(c, *argv):
    """COMMAND GETKEYSANDFLAGS command [arg [arg ...]]"""
    return _getkeys(c, list(argv), True)


@command("COMMAND HELP", arity=2, group="server", since="5.0.0", flags=_FLAGS, acl=CONN,
         summary="Show helpful text about the different subcommands", complexity="O(1)")
def cmd_command_help(c):
    """COMMAND HELP"""
    return [Status(line.encode()) for line in HELP]
