"""Connection commands: PING, ECHO, QUIT, SELECT."""
from engine.commands import Acl, Flag, command
from engine.errors import DB_INDEX_OUT_OF_RANGE, WrongArity, err
from engine.parsing import to_int
from engine.replies import OK, PONG

CONN = {Acl.CONNECTION}


@command("PING", arity=-1, group="connection", flags={Flag.FAST, Flag.STALE}, acl=CONN,
         summary="Returns the server's liveliness response.", complexity="O(1)")
def cmd_ping(c, *msg):
    """PING [message]"""
    if len(msg) > 1:
        raise WrongArity("ping")
    if c.resp == 2 and (c.channels or c.patterns or c.shard_channels):
        return [b"pong", msg[0] if msg else b""]     # RESP2 subscribed mode
    return msg[0] if msg else PONG


@command("ECHO", arity=2, group="connection", flags={Flag.FAST}, acl=CONN,
         summary="Returns the given string.", complexity="O(1)")
def cmd_echo(c, message):
    """ECHO message"""
    return message


@command("QUIT", arity=-1, group="connection",
         flags={Flag.ALLOW_BUSY, Flag.NOSCRIPT, Flag.LOADING, Flag.STALE, Flag.FAST,
                Flag.NO_AUTH}, acl=CONN,
         summary="Closes the connection.", complexity="O(1)")
def cmd_quit(c, *args):
    """QUIT"""
    c.close_after_reply = True
    return OK


@command("SELECT", arity=2, group="connection",
         flags={Flag.LOADING, Flag.STALE, Flag.FAST}, acl=CONN,
         summary="Changes the selected database.", complexity="O(1)")
def cmd_select(c, index):
    """SELECT index"""
    n = to_int(index)
    if n is None:
        raise err("value is not an integer or out of range")
    if not 0 <= n < len(c.engine.dbs):
        raise DB_INDEX_OUT_OF_RANGE
    c.select(n)
    return OK


@command("HELLO", arity=-1, group="connection", since="6.0.0",
         flags={Flag.NOSCRIPT, Flag.LOADING, Flag.STALE, Flag.FAST, Flag.NO_AUTH,
                Flag.ALLOW_BUSY}, acl=CONN,
         summary="Handshakes with the Redis server.", complexity="O(1)")
def cmd_hello(c, *args):
    """HELLO [protover [AUTH username password] [SETNAME clientname]]"""
    from engine.errors import RedisError
    from engine.cmds.auth import check_password
    ver = None
    if args:
        ver = to_int(args[0])
        if ver is None:
            raise RedisError("ERR Protocol version is not an integer or out of range")
        if ver not in (2, 3):
            raise RedisError("NOPROTO unsupported protocol version")
    i, name, auth = 1, None, None
    while i < len(args):
        opt = args[i].lower()
        if opt == b"auth" and i + 2 < len(args):
            auth = (args[i + 1], args[i + 2])
            i += 3
        elif opt == b"setname" and i + 1 < len(args):
            name = args[i + 1]
            i += 2
        else:
            raise RedisError(f"ERR Syntax error in HELLO option '{args[i].decode('utf-8', 'replace')}'")
    if auth is not None:
        check_password(c, *auth)
    if not c.authenticated:
        from engine.errors import RedisError as E
        raise E("NOAUTH HELLO must be called with the client already authenticated, "
                "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to "
                "authenticate the client and select the RESP protocol version at the same "
                "time")
    if name is not None:
        from engine.cmds.client_cmd import validate_name
        validate_name(name)
        c.name = name
    if ver is not None:
        c.resp = ver
    from engine import REDIS_VERSION
    return {b"server": b"redis", b"version": REDIS_VERSION.encode(), b"proto": c.resp,
            b"id": c.id, b"mode": b"standalone", b"role": b"master", b"modules": []}
