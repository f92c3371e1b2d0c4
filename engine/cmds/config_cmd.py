"""CONFIG GET / SET / RESETSTAT / REWRITE / HELP."""
from engine.commands import Flag, command, container
from engine.config import BY_NAME, ConfigError, canonical
from engine.errors import SYNTAX, RedisError
from engine.replies import OK

container("CONFIG", group="server", since="2.0.0",
          summary="A container for server configuration commands")
_ADMIN = {Flag.ADMIN, Flag.NOSCRIPT, Flag.LOADING, Flag.STALE}

HELP = [
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Prints this help.",
]


def _s(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


@command("CONFIG GET", arity=-3, group="server", since="2.0.0", flags=_ADMIN,
         summary="Get the values of configuration parameters",
         complexity="O(N) when N is the number of configuration parameters provided",
         history=[("7.0.0", "Added the ability to pass multiple pattern parameters in one "
                            "call")])
def cmd_config_get(c, *patterns):
    """CONFIG GET parameter [parameter ...]"""
    found = c.engine.config.get_many([_s(p) for p in patterns])
    return {k.encode("utf-8", "surrogateescape"): v.encode("utf-8", "surrogateescape")
            for k, v in found.items()}


@command("CONFIG SET", arity=-4, group="server", since="2.0.0", flags=_ADMIN,
         tips=["request_policy:all_nodes", "response_policy:all_succeeded"],
         summary="Set configuration parameters to the given values",
         complexity="O(N) when N is the number of configuration parameters provided",
         history=[("7.0.0", "Added the ability to set multiple parameters in one call.")])
def cmd_config_set(c, *args):
    """CONFIG SET parameter value [parameter value ...]"""
    from .server import protected_action_allowed
    if len(args) % 2:
        raise SYNTAX
    pairs = [(_s(args[i]), _s(args[i + 1])) for i in range(0, len(args), 2)]
    seen = set()
    for given, _ in pairs:            # the checks Redis makes before parsing any value
        name = canonical(given)
        if name is None:
            raise RedisError(f"ERR Unknown option or number of arguments for CONFIG SET - "
                             f"'{given}'")
        p = BY_NAME[name]
        if p.immutable or (p.protected and not protected_action_allowed(
                c, c.engine.config["enable-protected-configs"])):
            what = "immutable" if p.immutable else "protected"
            raise _failed(given, f"can't set {what} config")
        key = given.lower()           # an alias is its own entry, not a duplicate
        if key in seen:
            raise _failed(given, "duplicate parameter")
        seen.add(key)
    try:
        c.engine.config.set_many(pairs)
    except ConfigError as e:
        raise _failed(getattr(e, "param", pairs[0][0]), str(e)) from None
    return OK


def _failed(name: str, reason: str) -> RedisError:
    return RedisError(f"ERR CONFIG SET failed (possibly related to argument '{name}') - "
                      f"{reason}")


@command("CONFIG RESETSTAT", arity=2, group="server", since="2.0.0", flags=_ADMIN,
         summary="Reset the stats returned by INFO", complexity="O(1)")
def cmd_config_resetstat(c):
    """CONFIG RESETSTAT"""
    e = c.engine
    e.stats.reset()
    for counters in (e.cmd_calls, e.cmd_failed, e.cmd_rejected, e.errorstats, e.cmd_usec,
                     e.cmd_hist):
        counters.clear()
    for fn in getattr(e, "resetstat_hooks", ()):   # others' counters (latency, ...)
        fn()
    return OK


@command("CONFIG REWRITE", arity=2, group="server", since="2.8.0", flags=_ADMIN,
         summary="Rewrite the configuration file with the in memory configuration",
         complexity="O(1)")
def cmd_config_rewrite(c):
    """CONFIG REWRITE"""
    cfg = c.engine.config
    path = getattr(cfg, "config_file", None)
    if not path:
        raise RedisError("ERR The server is running without a config file")
    try:
        cfg.rewrite(path, extra=[("user", _user_lines(c), True)])
    except OSError as e:
        c.engine.log.warning(f"CONFIG REWRITE failed: {e.strerror}")
        raise RedisError(f"ERR Rewriting config file: {e.strerror}") from None
    c.engine.log.notice("CONFIG REWRITE executed with success.")
    return OK


def _user_lines(c) -> list[str]:
    """The ACL users as `user` directives (only the default user exists until ACL
    lands; an ACL module can provide engine.acl_config_lines())."""
    provider = getattr(c.engine, "acl_config_lines", None)
    if provider is not None:
        return provider()
    password = c.engine.config["requirepass"]
    if not password:
        return ["user default on nopass ~* &* +@all"]
    import hashlib
    digest = hashlib.sha256(password.encode("utf-8", "surrogateescape")).hexdigest()
    return [f"user default on #{digest} ~* &* +@all"]


@command("CONFIG HELP", arity=2, group="server", since="5.0.0",
         flags={Flag.LOADING, Flag.STALE},
         summary="Show helpful text about the different subcommands", complexity="O(1)")
def cmd_config_help(c):
    """CONFIG HELP"""
    from engine.replies import Status
    return [Status(line.encode()) for line in HELP]
