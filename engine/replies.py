"""Reply values that are not plain Python types.

Commands return ``bytes``, ``int``, ``float``, ``None``, ``list``, ``dict``, ``set`` or
one of these; the codec (netserver.resp) encodes them for RESP2 or RESP3.
"""


class Status(bytes):
    """A simple string reply: +OK."""
    __slots__ = ()


class Verbatim(bytes):
    """A verbatim string (RESP3 ``=``, bulk in RESP2): INFO, CLIENT LIST, LATENCY DOCTOR."""
    __slots__ = ()


class Push(list):
    """An out-of-band push message (RESP3 ``>``, an array in RESP2)."""
    __slots__ = ()


class Multi(list):
    """Several top-level replies from one command (SUBSCRIBE a b -> two confirmations)."""
    __slots__ = ()


class SetReply(list):
    """A set whose order matters (RESP3 ``~``, an array in RESP2): SMEMBERS of an intset
    replies in ascending order, as Redis does; a plain ``set`` cannot keep an order."""
    __slots__ = ()


class _NullArray:
    """The null *array* (``*-1`` in RESP2), as opposed to the null bulk string (None)."""
    __slots__ = ()

    def __repr__(self):
        return "NULL_ARRAY"


class _NoReply:
    """Nothing is written (CLIENT REPLY OFF, a blocked client, QUIT after its +OK)."""
    __slots__ = ()


OK = Status(b"OK")
PONG = Status(b"PONG")
QUEUED = Status(b"QUEUED")
NULL_ARRAY = _NullArray()
NO_REPLY = _NoReply()
