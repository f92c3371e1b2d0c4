"""AUTH with requirepass (the default user); full ACL comes later."""
from engine.commands import Acl, Flag, command
from engine.errors import AUTH_NOT_CONFIGURED, WRONGPASS, WrongArity
from engine.replies import OK


def check_password(c, user: bytes, password: bytes):
    """Authenticate c as user (only 'default' exists until ACL lands)."""
    required = c.engine.config["requirepass"]
    if user != b"default" or (required and password != required.encode()):
        raise WRONGPASS
    c.authenticated = True
    c.user = user


@command("AUTH", arity=-2, group="connection",
         flags={Flag.NOSCRIPT, Flag.LOADING, Flag.STALE, Flag.FAST, Flag.NO_AUTH,
                Flag.ALLOW_BUSY}, acl={Acl.CONNECTION},
         summary="Authenticates the connection.", complexity="O(N) where N is the number of "
                                                              "passwords defined for the user")
def cmd_auth(c, *args):
    """AUTH [username] password"""
    if len(args) > 2:
        raise WrongArity("auth")
    if len(args) == 1:
        if not c.engine.config["requirepass"]:
            raise AUTH_NOT_CONFIGURED
        check_password(c, b"default", args[0])
    else:
        check_password(c, args[0], args[1])
    return OK
