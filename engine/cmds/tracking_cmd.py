"""CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO (client-side caching)."""
from engine.commands import Acl, Flag, command
from engine.errors import NOT_INTEGER, SYNTAX, RedisError
from engine.parsing import to_int
from engine.replies import OK, SetReply
from engine.tracking import TrackingState

_FLAGS = {Flag.NOSCRIPT, Flag.LOADING, Flag.STALE}
CONN = {Acl.CONNECTION}


@command("CLIENT TRACKING", arity=-3, group="connection", since="6.0.0", flags=_FLAGS,
         acl=CONN, summary="Enable or disable server assisted client side caching support",
         complexity="O(1). Some options may introduce additional complexity.")
def cmd_client_tracking(c, onoff, *opts):
    """CLIENT TRACKING <ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]]
    [BCAST] [OPTIN] [OPTOUT] [NOLOOP]"""
    tracking = c.engine.tracking
    redirect, bcast, optin, optout, noloop, prefixes = 0, False, False, False, False, []
    i = 0
    while i < len(opts):
        o = opts[i].lower()
        more = i + 1 < len(opts)
        if o == b"redirect" and more:
            if redirect:
                raise RedisError("ERR A client can only redirect to a single other client")
            redirect = to_int(opts[i + 1])
            if redirect is None:
                raise NOT_INTEGER
            i += 1
        elif o == b"bcast":
            bcast = True
        elif o == b"optin":
            optin = True
        elif o == b"optout":
            optout = True
        elif o == b"noloop":
            noloop = True
        elif o == b"prefix" and more:
            prefixes.append(opts[i + 1])
            i += 1
        else:
            raise SYNTAX
        i += 1
    mode = onoff.lower()
    if mode == b"off":
        tracking.disable(c)
        return OK
    if mode != b"on":
        raise SYNTAX
    if prefixes and not bcast:
        raise RedisError("ERR PREFIX option requires BCAST mode to be enabled")
    if bcast and (optin or optout):
        raise RedisError("ERR OPTIN and OPTOUT are not compatible with BCAST")
    if optin and optout:
        raise RedisError("ERR You can't specify both OPTIN mode and OPTOUT mode")
    if c.tracking is not None:
        cur = c.tracking
        if (cur.optin and optout) or (cur.optout and optin):
            raise RedisError("ERR You can't switch OPTIN/OPTOUT mode before disabling "
                             "tracking for this client, and then re-enabling it with a "
                             "different mode.")
        if cur.bcast and not bcast:
            raise RedisError("ERR You can't switch BCAST mode on/off before disabling "
                             "tracking for this client, and then re-enabling it with a "
                             "different mode.")
    for a in prefixes:
        for b in prefixes:
            if a is not b and (a.startswith(b) or b.startswith(a)):
                raise RedisError(
                    f"ERR Prefix '{a.decode('utf-8', 'replace')}' overlaps with another "
                    f"provided prefix '{b.decode('utf-8', 'replace')}'. Prefixes for a single "
                    f"client must not overlap.")
    if redirect and redirect not in c.engine.clients:
        raise RedisError("ERR The client ID you want redirect to does not exist")
    tracking.enable(c, TrackingState(redirect, bcast, prefixes, optin, optout, noloop))
    return OK


@command("CLIENT CACHING", arity=3, group="connection", since="6.0.0", flags=_FLAGS,
         acl=CONN, summary="Instruct the server about tracking or not keys in the next "
                           "request", complexity="O(1)")
def cmd_client_caching(c, yesno):
    """CLIENT CACHING <YES | NO>"""
    t = c.tracking
    if t is None or not (t.optin or t.optout):
        raise RedisError("ERR CLIENT CACHING can be called only when the client is in "
                         "tracking mode with OPTIN or OPTOUT mode enabled")
    v = yesno.lower()
    if v == b"yes" and t.optin:
        t.caching = True
    elif v == b"no" and t.optout:
        t.caching = False
    elif v in (b"yes", b"no"):
        raise RedisError("ERR CLIENT CACHING YES is only valid when tracking is enabled in "
                         "OPTIN mode." if v == b"yes" else
                         "ERR CLIENT CACHING NO is only valid when tracking is enabled in "
                         "OPTOUT mode.")
    else:
        raise SYNTAX
    return OK


@command("CLIENT GETREDIR", arity=2, group="connection", since="6.0.0", flags=_FLAGS,
         acl=CONN, summary="Get tracking notifications redirection client ID if any",
         complexity="O(1)")
def cmd_client_getredir(c):
    """CLIENT GETREDIR"""
    if c.tracking is None:
        return -1
    return c.tracking.redirect


@command("CLIENT TRACKINGINFO", arity=2, group="connection", since="6.2.0", flags=_FLAGS,
         acl=CONN, summary="Return information about server assisted client side caching for "
                           "the current connection", complexity="O(1)")
def cmd_client_trackinginfo(c):
    """CLIENT TRACKINGINFO"""
    t = c.tracking
    if t is None:
        return {b"flags": SetReply([b"off"]), b"redirect": -1, b"prefixes": []}
    flags = [b"on"]
    for name, on in ((b"bcast", t.bcast), (b"optin", t.optin), (b"optout", t.optout),
                     (b"noloop", t.noloop)):
        if on:
            flags.append(name)
    if t.caching is True:
        flags.append(b"caching-yes")
    elif t.caching is False:
        flags.append(b"caching-no")
    if t.redirect and t.redirect not in c.engine.clients:
        flags.append(b"broken_redirect")
    return {b"flags": SetReply(flags), b"redirect": t.redirect, b"prefixes": list(t.prefixes)}
