"""AUTH with requirepass (the default user); full ACL comes later.

NOAUTH gating is the dispatcher's (engine.execute): a connection made while requirepass
is set starts unauthenticated; setting requirepass leaves existing connections as they
are, clearing it lets everyone in (the default user becomes 'nopass'), as in Redis.
"""
import hmac

from engine.commands import Acl, Flag, command
from engine.errors import AUTH_NOT_CONFIGURED, SYNTAX, WRONGPASS
from engine.replies import OK


def check_password(c, user: bytes, password: bytes):
    """Authenticate c as user (only 'default' exists until ACL lands; without
    requirepass it is 'nopass' and takes any password).  A failure leaves the
    connection's current authentication as it was."""
    required = c.engine.config["requirepass"]
    if user != b"default" or (
            required and not hmac.compare_digest(password, required.encode(
                "utf-8", "surrogateescape"))):
        raise WRONGPASS
    c.authenticated = True
    c.user = user


@command("AUTH", arity=-2, group="connection",
         flags={Flag.NOSCRIPT, Flag.LOADING, Flag.STALE, Flag.FAST, Flag.NO_AUTH,
                Flag.ALLOW_BUSY}, acl={Acl.CONNECTION},
         summary="Authenticate to the server",
         complexity="O(N) where N is the number of passwords defined for the user",
         history=[("6.0.0", "Added ACL style (username and password).")])
def cmd_auth(c, *args):
    """AUTH [username] password"""
    if len(args) > 2:
        raise SYNTAX
    if len(args) == 1:
        if not c.engine.config["requirepass"]:
            raise AUTH_NOT_CONFIGURED
        check_password(c, b"default", args[0])
    else:
        check_password(c, args[0], args[1])
    return OK
