"""Connection commands: PING, ECHO, QUIT, SELECT, HELLO, RESET."""
from engine.commands import Acl, Flag, command
from engine.errors import DB_INDEX_OUT_OF_RANGE, NOT_INTEGER, RedisError, WrongArity
from engine.parsing import to_int
from engine.replies import OK, PONG, Status

CONN = {Acl.CONNECTION}
_SESSION = {Flag.NOSCRIPT, Flag.LOADING, Flag.STALE, Flag.FAST, Flag.NO_AUTH,
            Flag.ALLOW_BUSY}
RESET = Status(b"RESET")

# fn(client) run by RESET for per-connection state owned elsewhere (MONITOR, ...)
RESET_HOOKS: list = []


@command("PING", arity=-1, group="connection", flags={Flag.FAST}, acl=CONN,
         tips=["request_policy:all_shards", "response_policy:all_succeeded"],
         summary="Ping the server", complexity="O(1)")
def cmd_ping(c, *msg):
    """PING [message]"""
    if len(msg) > 1:
        raise WrongArity("ping")
    if c.resp == 2 and (c.channels or c.patterns or c.shard_channels):
        return [b"pong", msg[0] if msg else b""]     # RESP2 subscribed mode
    return msg[0] if msg else PONG


@command("ECHO", arity=2, group="connection", flags={Flag.LOADING, Flag.STALE, Flag.FAST},
         acl=CONN, summary="Echo the given string", complexity="O(1)")
def cmd_echo(c, message):
    """ECHO message"""
    return message


@command("QUIT", arity=-1, group="connection", flags=_SESSION, acl=CONN,
         summary="Close the connection", complexity="O(1)")
def cmd_quit(c, *args):
    """QUIT"""
    c.close_after_reply = True
    return OK


@command("SELECT", arity=2, group="connection",
         flags={Flag.LOADING, Flag.STALE, Flag.FAST}, acl=CONN,
         summary="Change the selected database for the current connection",
         complexity="O(1)")
def cmd_select(c, index):
    """SELECT index"""
    n = to_int(index)
    if n is None or not -2**31 <= n < 2**31:     # Redis reads an int
        raise NOT_INTEGER
    if not 0 <= n < len(c.engine.dbs):
        raise DB_INDEX_OUT_OF_RANGE
    c.select(n)
    return OK


@command("HELLO", arity=-1, group="connection", since="6.0.0", flags=_SESSION, acl=CONN,
         summary="Handshake with Redis", complexity="O(1)",
         history=[("6.2.0", "`protover` made optional; when called without arguments the "
                            "command reports the current connection's context.")])
def cmd_hello(c, *args):
    """HELLO [protover [AUTH username password] [SETNAME clientname]]"""
    from engine.cmds.auth import check_password
    from engine.cmds.client_cmd import validate_name
    ver = None
    if args:
        ver = to_int(args[0])
        if ver is None:
            raise RedisError("ERR Protocol version is not an integer or out of range")
        if ver not in (2, 3):
            raise RedisError("NOPROTO unsupported protocol version")
    i, name, auth = 1, None, None
    n = len(args)
    while i < n:
        opt = args[i].lower()
        more = n - 1 - i
        if opt == b"auth" and more >= 2:
            auth = (args[i + 1], args[i + 2])
            i += 3
        elif opt == b"setname" and more:
            name = args[i + 1]
            i += 2
        else:
            raise RedisError("ERR Syntax error in HELLO option '%s'"
                             % args[i].decode("utf-8", "replace"))
    if auth is not None:
        check_password(c, *auth)
    if not c.authenticated:
        raise RedisError(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise "
            "the HELLO AUTH <user> <pass> option can be used to authenticate the client "
            "and select the RESP protocol version at the same time")
    if name is not None:
        validate_name(name)
        c.name = name
    if ver is not None:
        c.resp = ver
    from engine import REDIS_VERSION
    return {b"server": b"redis", b"version": REDIS_VERSION.encode(), b"proto": c.resp,
            b"id": c.id, b"mode": b"standalone", b"role": b"master", b"modules": []}


@command("RESET", arity=1, group="connection", since="6.2.0", flags=_SESSION, acl=CONN,
         summary="Reset the connection", complexity="O(1)")
def cmd_reset(c):
    """RESET"""
    reset_client(c)
    return RESET


def reset_client(c):
    """Redis's clearClientConnectionState: MONITOR and tracking off, DB 0, RESP2, the
    default user (authenticated only when it needs no password), transaction and WATCHes
    discarded, every subscription dropped silently, no name, replies on."""
    e = c.engine
    for fn in RESET_HOOKS:
        fn(c)
    monitors = getattr(e, "monitors", None)
    if monitors and c in monitors:
        monitors.remove(c)
        c.flags.discard("O")
    if c.tracking is not None:
        e.tracking.disable(c)
    c.select(0)
    c.resp = 2
    c.user = b"default"
    c.authenticated = not e.config["requirepass"]
    if c.multi is not None or c.watching:
        from engine.cmds.multi import discard_transaction
        discard_transaction(c)
    if c.channels or c.patterns or c.shard_channels:
        e.pubsub.drop_client(c)
    c.name = b""
    c.reply_mode = "on"
    c.flags.difference_update("rP")        # READONLY (cluster), pubsub
