"""CLIENT ID, SETNAME, GETNAME, LIST, INFO, KILL, REPLY, NO-EVICT, HELP.

CLIENT LIST prints the fields of Redis 7.0.15 in its order.  Buffer sizes keyscope
does not keep per client (qbuf-free, rbs, rbp, obl, oll) are printed as 0; omem is the
transport's pending output, argv-mem the current command's arguments.
"""
from engine.commands import Acl, Flag, command, container
from engine.errors import SYNTAX, RedisError
from engine.parsing import to_int
from engine.replies import NO_REPLY, OK, Status, Verbatim

container("CLIENT", group="connection", since="2.4.0",
          summary="A container for client connection commands")
CONN = {Acl.CONNECTION}
_PLAIN = {Flag.NOSCRIPT, Flag.LOADING, Flag.STALE}
_ADMIN = {Flag.ADMIN, Flag.NOSCRIPT, Flag.LOADING, Flag.STALE}

HELP = [
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Prints this help.",
]

_TYPES = {b"normal": "normal", b"slave": "slave", b"replica": "slave", b"pubsub": "pubsub",
          b"master": "master"}


def validate_name(name: bytes):
    if any(ch <= 32 or ch > 126 for ch in name):
        raise RedisError("ERR Client names cannot contain spaces, newlines or special "
                         "characters.")


def client_type(cl) -> str:
    """Redis's getClientType (a MONITOR client counts as normal)."""
    f = cl.flags
    if "M" in f:
        return "master"
    if "S" in f:
        return "slave"
    if cl.channels or cl.patterns or cl.shard_channels:
        return "pubsub"
    return "normal"


def _type_by_name(name: bytes) -> str:
    t = _TYPES.get(name.lower())
    if t is None:
        raise RedisError("ERR Unknown client type '%s'" % name.decode("utf-8", "replace"))
    return t


def _flags(cl) -> str:
    f = cl.flags
    out = []
    if "O" in f:
        out.append("O")
    elif "S" in f:
        out.append("S")
    if "M" in f:
        out.append("M")
    if cl.channels or cl.patterns or cl.shard_channels:
        out.append("P")
    if cl.multi is not None:
        out.append("x")
    if cl.blocked is not None:
        out.append("b")
    t = cl.tracking
    if t is not None:
        out.append("t")
        if t.redirect and t.redirect not in cl.engine.clients:
            out.append("R")
        if t.bcast:
            out.append("B")
    if cl.watch_dirty:
        out.append("d")
    if cl.close_after_reply:
        out.append("c")
    if cl.closing:
        out.append("A")
    if cl.conn_type == "unix":
        out.append("U")
    for ch in "re":
        if ch in f:
            out.append(ch)
    return "".join(out) or "N"


def client_info(cl, now_ms: int, caller=None) -> str:
    """One CLIENT LIST line (without the newline), fields as Redis 7.0.15 prints them;
    only the caller has arguments in memory (argv-mem) while it runs."""
    cmd = cl.cmd or cl.last_cmd
    argv_mem = sum(len(a) for a in cl.argv) if cl is caller and cl.argv else 0
    multi_mem = sum(sum(len(a) for a in argv) for argv in cl.multi) if cl.multi else 0
    omem = 0
    tr = cl.transport
    if tr is not None:
        try:
            omem = tr.get_write_buffer_size()
        except Exception:       # a closed transport
            omem = 0
    qbuf = cl.qbuf or 0
    created_ms = int(cl.created * 1000)
    last = cl.last_interaction
    t = cl.tracking
    return (f"id={cl.id} addr={cl.addr} laddr={cl.laddr} fd={cl.fd} "
            f"name={cl.name.decode('utf-8', 'replace')} "
            f"age={max(0, (now_ms - created_ms) // 1000)} "
            f"idle={max(0, (now_ms - last) // 1000)} flags={_flags(cl)} db={cl.db.id} "
            f"sub={len(cl.channels or ())} psub={len(cl.patterns or ())} "
            f"ssub={len(cl.shard_channels or ())} "
            f"multi={len(cl.multi) if cl.multi is not None else -1} qbuf={qbuf} qbuf-free=0 "
            f"argv-mem={argv_mem} multi-mem={multi_mem} rbs=0 rbp=0 obl=0 oll=0 "
            f"omem={omem} tot-mem={qbuf + argv_mem + multi_mem + omem} events=r "
            f"cmd={cmd.name if cmd is not None else 'NULL'} "
            f"user={cl.user.decode('utf-8', 'replace')} "
            f"redir={t.redirect if t is not None else -1} resp={cl.resp}")


@command("CLIENT ID", arity=2, group="connection", since="5.0.0", flags=_PLAIN, acl=CONN,
         summary="Returns the client ID for the current connection", complexity="O(1)")
def cmd_client_id(c):
    """CLIENT ID"""
    return c.id


@command("CLIENT SETNAME", arity=3, group="connection", since="2.6.9", flags=_PLAIN,
         acl=CONN, summary="Set the current connection name", complexity="O(1)")
def cmd_client_setname(c, name):
    """CLIENT SETNAME connection-name"""
    validate_name(name)
    c.name = name
    return OK


@command("CLIENT GETNAME", arity=2, group="connection", since="2.6.9", flags=_PLAIN,
         acl=CONN, summary="Get the current connection name", complexity="O(1)")
def cmd_client_getname(c):
    """CLIENT GETNAME"""
    return c.name or None


@command("CLIENT LIST", arity=-2, group="connection", since="2.4.0", flags=_ADMIN,
         acl=CONN, tips=["nondeterministic_output"],
         summary="Get the list of client connections",
         complexity="O(N) where N is the number of client connections",
         history=[("2.8.12", "Added unique client `id` field."),
                  ("5.0.0", "Added optional `TYPE` filter."),
                  ("6.0.0", "Added `user` field."),
                  ("6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and "
                            "the optional `ID` filter."),
                  ("7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."),
                  ("7.0.3", "Added `ssub` field.")])
def cmd_client_list(c, *args):
    """CLIENT LIST [TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]"""
    e = c.engine
    now = e.now_ms
    clients = e.clients
    if len(args) == 2 and args[0].lower() == b"type":
        kind = _type_by_name(args[1])
        chosen = [cl for cl in clients.values() if client_type(cl) == kind]
    elif len(args) > 1 and args[0].lower() == b"id":
        chosen = []
        for a in args[1:]:
            cid = to_int(a)
            if cid is None:
                raise RedisError("ERR Invalid client ID")
            cl = clients.get(cid)
            if cl is not None:
                chosen.append(cl)
    elif args:
        raise SYNTAX
    else:
        chosen = list(clients.values())
    return Verbatim("".join(client_info(cl, now, c) + "\n" for cl in chosen).encode())


@command("CLIENT INFO", arity=2, group="connection", since="6.2.0", flags=_PLAIN, acl=CONN,
         tips=["nondeterministic_output"],
         summary="Returns information about the current client connection.",
         complexity="O(1)")
def cmd_client_info(c):
    """CLIENT INFO"""
    return Verbatim((client_info(c, c.engine.now_ms, c) + "\n").encode())


@command("CLIENT KILL", arity=-3, group="connection", since="2.4.0", flags=_ADMIN, acl=CONN,
         summary="Kill the connection of a client",
         complexity="O(N) where N is the number of client connections",
         history=[("2.8.12", "Added new filter format."), ("2.8.12", "`ID` option."),
                  ("3.2.0", "Added `master` type in for `TYPE` option."),
                  ("5.0.0", "Replaced `slave` `TYPE` with `replica`. `slave` still supported "
                            "for backward compatibility."),
                  ("6.2.0", "`LADDR` option.")])
def cmd_client_kill(c, *args):
    """CLIENT KILL <ip:port | <[ID client-id] | [TYPE <NORMAL | MASTER | SLAVE | REPLICA |
    PUBSUB>] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME <YES | NO>]
    [[ID client-id] | ...]>>"""
    addr = laddr = user = kind = None
    cid = 0
    old_form = len(args) == 1
    if old_form:
        addr = args[0].decode("utf-8", "surrogateescape")
        skipme = False                      # the old form may kill the caller itself
    else:
        skipme = True
        i, n = 0, len(args)
        while i < n:
            opt = args[i].lower()
            if i + 1 >= n:
                raise SYNTAX
            val = args[i + 1]
            if opt == b"id":
                cid = to_int(val)
                if cid is None or cid < 1:
                    raise RedisError("ERR client-id should be greater than 0")
            elif opt == b"type":
                kind = _type_by_name(val)
            elif opt == b"addr":
                addr = val.decode("utf-8", "surrogateescape")
            elif opt == b"laddr":
                laddr = val.decode("utf-8", "surrogateescape")
            elif opt == b"user":
                if not _user_exists(c, val):
                    raise RedisError("ERR No such user '%s'" % val.decode("utf-8", "replace"))
                user = val
            elif opt == b"skipme":
                v = val.lower()
                if v == b"yes":
                    skipme = True
                elif v == b"no":
                    skipme = False
                else:
                    raise SYNTAX
            else:
                raise SYNTAX
            i += 2
    e = c.engine
    killed = 0
    for cl in list(e.clients.values()):
        if addr is not None and cl.addr != addr:
            continue
        if laddr is not None and cl.laddr != laddr:
            continue
        if kind is not None and client_type(cl) != kind:
            continue
        if cid and cl.id != cid:
            continue
        if user is not None and cl.user != user:
            continue
        if cl is c and skipme:
            continue
        if cl is c:
            c.close_after_reply = True      # after this reply is written
        else:
            cl.kill()
            e.disconnect(cl)                # gone from CLIENT LIST at once, as in Redis
        killed += 1
    if old_form:
        if not killed:
            raise RedisError("ERR No such client")
        return OK
    return killed


def _user_exists(c, name: bytes) -> bool:
    users = getattr(c.engine, "acl_users", None)    # an ACL module's table, when present
    return name in users if users is not None else name == b"default"


@command("CLIENT REPLY", arity=3, group="connection", since="3.2.0", flags=_PLAIN, acl=CONN,
         summary="Instruct the server whether to reply to commands", complexity="O(1)")
def cmd_client_reply(c, mode):
    """CLIENT REPLY <ON | OFF | SKIP>"""
    m = mode.lower()
    if m == b"on":
        c.reply_mode = "on"
        return OK
    if m == b"off":
        c.reply_mode = "off"
        return NO_REPLY
    if m == b"skip":
        if c.reply_mode != "off":
            c.reply_mode = "skip"
        return NO_REPLY
    raise SYNTAX


@command("CLIENT NO-EVICT", arity=3, group="connection", since="7.0.0", flags=_ADMIN,
         acl=CONN, summary="Set client eviction mode for the current connection",
         complexity="O(1)")
def cmd_client_no_evict(c, mode):
    """CLIENT NO-EVICT <ON | OFF>"""
    m = mode.lower()
    if m == b"on":
        c.flags.add("e")
    elif m == b"off":
        c.flags.discard("e")
    else:
        raise SYNTAX
    return OK


@command("CLIENT HELP", arity=2, group="connection", since="5.0.0",
         flags={Flag.LOADING, Flag.STALE}, acl=CONN,
         summary="Show helpful text about the different subcommands", complexity="O(1)")
def cmd_client_help(c):
    """CLIENT HELP"""
    return [Status(line.encode()) for line in HELP]


@command("CLIENT UNBLOCK", arity=-3, group="connection", since="5.0.0", flags=_ADMIN,
         acl=CONN, summary="Unblock a client blocked in a blocking command from a different "
                           "connection",
         complexity="O(log N) where N is the number of client connections")
def cmd_client_unblock(c, client_id, *reason):
    """CLIENT UNBLOCK client-id [TIMEOUT | ERROR]"""
    from engine.blocking import UNBLOCKED
    if len(reason) > 1:
        sub = c.argv[1].decode("utf-8", "replace")[:128]
        raise RedisError(f"ERR unknown subcommand or wrong number of arguments for '{sub}'. "
                         "Try CLIENT HELP.")
    error = False
    if reason:
        r = reason[0].lower()
        if r == b"error":
            error = True
        elif r != b"timeout":
            raise RedisError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
    target_id = to_int(client_id)
    if target_id is None:
        raise RedisError("ERR value is not an integer or out of range")
    target = c.engine.clients.get(target_id)
    # a client held by CLIENT PAUSE (a keyless record without a serve callback) is not
    # blocked on anything CLIENT UNBLOCK could end (redis-server 7.0.15 crashes on it)
    if target is None or target.blocked is None or \
            target.blocked in c.engine.pause.postponed:
        return 0
    c.engine.blocking.unblock(target, UNBLOCKED if error else None)
    return 1
