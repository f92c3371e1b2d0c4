"""Redis's error replies, byte for byte, in one place.

A command raises ``RedisError`` (or returns one inside an array); the codec writes
``-<text>\\r\\n``.  Texts carry their own prefix (ERR, WRONGTYPE, NOAUTH, ...).
"""


class RedisError(Exception):
    __slots__ = ("text",)

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def __eq__(self, other):
        return isinstance(other, RedisError) and other.text == self.text

    def __hash__(self):
        return hash(self.text)

    @property
    def code(self) -> str:
        """The first word, as Redis's errorstats count it (ERR, WRONGTYPE, ...)."""
        return self.text.split(" ", 1)[0]


def err(text: str) -> RedisError:
    return RedisError("ERR " + text)


class WrongArity(RedisError):
    def __init__(self, name: str):
        super().__init__(f"ERR wrong number of arguments for '{name.lower()}' command")


WRONGTYPE = RedisError("WRONGTYPE Operation against a key holding the wrong kind of value")
SYNTAX = RedisError("ERR syntax error")
NOT_INTEGER = RedisError("ERR value is not an integer or out of range")
NOT_FLOAT = RedisError("ERR value is not a valid float")
OVERFLOW = RedisError("ERR increment or decrement would overflow")
INCR_NAN = RedisError("ERR increment would produce NaN or Infinity")
NO_SUCH_KEY = RedisError("ERR no such key")
INDEX_OUT_OF_RANGE = RedisError("ERR index out of range")
DB_INDEX_OUT_OF_RANGE = RedisError("ERR DB index is out of range")
INVALID_DB_INDEX = RedisError("ERR invalid DB index")
SAME_OBJECT = RedisError("ERR source and destination objects are the same")
STRING_TOO_LONG = RedisError("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
BIT_OFFSET = RedisError("ERR bit offset is not an integer or out of range")
NOAUTH = RedisError("NOAUTH Authentication required.")
WRONGPASS = RedisError("WRONGPASS invalid username-password pair or user is disabled.")
AUTH_NOT_CONFIGURED = RedisError(
    "ERR AUTH <password> called without any password configured for the default user. "
    "Are you sure your configuration is correct?")
INVALID_EXPIRE = "ERR invalid expire time in '{}' command"
NOT_POSITIVE = "ERR {} must be positive"


def invalid_expire(cmd: str) -> RedisError:
    return RedisError(INVALID_EXPIRE.format(cmd.lower()))


def _cstr(b: bytes, limit: int) -> str:
    """printf's %.*s of an argument: up to a NUL, at most limit bytes; decoded with
    surrogateescape so that the codec writes the very bytes back."""
    nul = b.find(b"\0")
    return (b if nul < 0 else b[:nul])[:limit].decode("utf-8", "surrogateescape")


def unknown_command(argv) -> RedisError:
    # Redis adds "'arg' " while the list is under 128 bytes, each cut to what is left
    rest = b""
    for a in argv[1:]:
        if len(rest) >= 128:
            break
        nul = a.find(b"\0")
        rest += b"'" + (a if nul < 0 else a[:nul])[:128 - len(rest)] + b"' "
    return RedisError(f"ERR unknown command '{_cstr(argv[0], 128)}', with args beginning "
                      f"with: {rest.decode('utf-8', 'surrogateescape')}")


def unknown_subcommand(container: str, sub: bytes) -> RedisError:
    return RedisError(
        f"ERR unknown subcommand '{_cstr(sub, 128)}'. Try {container.upper()} HELP.")


def protocol_error(what: str) -> RedisError:
    return RedisError("ERR Protocol error: " + what)
