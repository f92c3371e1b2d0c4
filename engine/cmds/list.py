"""The list group: pushes, pops (with counts, multi-key, blocking), ranges, LPOS, LMOVE.

Reply shapes and error texts follow Redis 7.0.15's t_list.c: argument errors come before
the key lookup where Redis parses first (LRANGE, LTRIM, LREM, LPOP's count, LPOS), after
it where Redis looks up first (LINDEX, LSET).  An emptied list deletes its key ("del"
after the list event).  Blocking variants serve at once when they can and are then
propagated as their non-blocking form; otherwise they block through engine.blocking.
"""
from itertools import islice

from engine.blocking import NOT_SERVED, block, parse_timeout
from engine.commands import KS, Acl, Flag, KeySpec, command
from engine.errors import (INDEX_OUT_OF_RANGE, NO_SUCH_KEY, NOT_INTEGER, SYNTAX,
                           WRONGTYPE, RedisError, WrongArity)
from engine.parsing import to_int
from engine.replies import NULL_ARRAY, OK
from engine.types.list import List

L = {Acl.LIST}
G = "list"
NOT_POSITIVE = RedisError("ERR value is out of range, must be positive")
NUMKEYS = RedisError("ERR numkeys should be greater than 0")
COUNT_POSITIVE = RedisError("ERR count should be greater than 0")
RANK_ZERO = RedisError("ERR RANK can't be zero: use 1 to start from the first match, 2 from "
                       "the second ... or use negative to start from the end of the list")
COUNT_NEGATIVE = RedisError("ERR COUNT can't be negative")
MAXLEN_NEGATIVE = RedisError("ERR MAXLEN can't be negative")
LLONG_MIN = -2**63

PUSH_KEYS = [KeySpec(1, flags={KS.RW, KS.INSERT})]
POP_KEYS = [KeySpec(1, flags={KS.RW, KS.ACCESS, KS.DELETE})]
MOVE_KEYS = POP_KEYS + [KeySpec(2, flags={KS.RW, KS.INSERT})]
RO_KEYS = [KeySpec(1, flags={KS.RO})]


# ---------------------------------------------------------------- helpers
def _list(c, key):
    """The list at key, None when missing; WRONGTYPE for another type."""
    v = c.db.get(key)
    if v is None or v.__class__ is List:
        return v
    raise WRONGTYPE


def _where(arg: bytes) -> bool:
    """LEFT -> True, RIGHT -> False (getListPositionFromObjectOrReply)."""
    a = arg.lower()
    if a == b"left":
        return True
    if a == b"right":
        return False
    raise SYNTAX


def _removed(c, key, v, left: bool, n: int):
    """listElementsRemoved: the pop event, then "del" when the list is now empty."""
    c.written(key, b"lpop" if left else b"rpop", dirty=n)
    if not v:
        c.db.delete(key)
        c.written(key, b"del", dirty=0)


def _pop_range(c, key, v, left: bool, count: int) -> list:
    """Pop up to count elements from one end, in pop order (LPOP/RPOP key count)."""
    n = len(v)
    if count >= n:
        out = list(v)
        if not left:
            out.reverse()
        v.clear()
        count = n
    elif left:
        pop = v.popleft
        out = [pop() for _ in range(count)]
    else:
        pop = v.pop
        out = [pop() for _ in range(count)]
    _removed(c, key, v, left, count)
    return out


def _move(c, src, v, dst, left_from: bool, left_to: bool) -> bytes:
    """lmoveGenericCommand after the source was found non-empty: pop, push, events
    (destination push first, as Redis notifies them)."""
    db = c.db
    d = db.get(dst)                 # the source itself when src == dst (a rotation)
    if d is not None and d.__class__ is not List:
        raise WRONGTYPE
    value = v.popleft() if left_from else v.pop()
    if d is None:
        d = db.data[dst] = List()
    if left_to:
        d.appendleft(value)
    else:
        d.append(value)
    c.written(dst, b"lpush" if left_to else b"rpush", dirty=0)
    _removed(c, src, v, left_from, 1)
    return value


def _side(left: bool) -> bytes:
    return b"LEFT" if left else b"RIGHT"


# ---------------------------------------------------------------- pushes
def _pushx(c, key, values, left: bool, event: bytes):
    v = _list(c, key)
    if v is None:
        return 0
    if left:
        v.extendleft(values)
    else:
        v.extend(values)
    c.written(key, event, dirty=len(values))
    return len(v)


_PUSH_CX = ("O(1) for each element added, so O(N) to add N elements when the command is "
            "called with multiple arguments.")


@command("LPUSH", arity=-3, group=G, flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=L,
         keys=PUSH_KEYS, summary="Prepend one or multiple elements to a list",
         complexity=_PUSH_CX, history=(("2.4.0", "Accepts multiple `element` arguments."),))
def cmd_lpush(c, key, *values):
    """LPUSH key element [element ...]"""
    db = c.db
    v = db.get(key)
    if v is None:
        v = db.data[key] = List()
    elif v.__class__ is not List:
        raise WRONGTYPE
    if len(values) == 1:
        v.appendleft(values[0])
    else:
        v.extendleft(values)
    c.written(key, b"lpush", dirty=len(values))
    return len(v)


@command("RPUSH", arity=-3, group=G, flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=L,
         keys=PUSH_KEYS, summary="Append one or multiple elements to a list",
         complexity=_PUSH_CX, history=(("2.4.0", "Accepts multiple `element` arguments."),))
def cmd_rpush(c, key, *values):
    """RPUSH key element [element ...]"""
    db = c.db
    v = db.get(key)
    if v is None:
        v = db.data[key] = List()
    elif v.__class__ is not List:
        raise WRONGTYPE
    if len(values) == 1:
        v.append(values[0])
    else:
        v.extend(values)
    c.written(key, b"rpush", dirty=len(values))
    return len(v)


@command("LPUSHX", arity=-3, group=G, since="2.2.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=L, keys=PUSH_KEYS,
         summary="Prepend an element to a list, only if the list exists", complexity=_PUSH_CX,
         history=(("4.0.0", "Accepts multiple `element` arguments."),))
def cmd_lpushx(c, key, *values):
    """LPUSHX key element [element ...]"""
    return _pushx(c, key, values, True, b"lpush")


@command("RPUSHX", arity=-3, group=G, since="2.2.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=L, keys=PUSH_KEYS,
         summary="Append an element to a list, only if the list exists", complexity=_PUSH_CX,
         history=(("4.0.0", "Accepts multiple `element` arguments."),))
def cmd_rpushx(c, key, *values):
    """RPUSHX key element [element ...]"""
    return _pushx(c, key, values, False, b"rpush")


@command("LINSERT", arity=5, group=G, since="2.2.0", flags={Flag.WRITE, Flag.DENYOOM},
         acl=L, keys=PUSH_KEYS,
         summary="Insert an element before or after another element in a list",
         complexity="O(N) where N is the number of elements to traverse before seeing the "
                    "value pivot. This means that inserting somewhere on the left end on the "
                    "list (head) can be considered O(1) and inserting somewhere on the right "
                    "end (tail) is O(N).")
def cmd_linsert(c, key, where, pivot, element):
    """LINSERT key BEFORE | AFTER pivot element"""
    w = where.lower()
    if w == b"after":
        after = True
    elif w == b"before":
        after = False
    else:
        raise SYNTAX
    v = _list(c, key)
    if v is None:
        return 0
    try:
        i = v.index(pivot)
    except ValueError:
        return -1
    v.insert(i + 1 if after else i, element)
    c.written(key, b"linsert")
    return len(v)


@command("LSET", arity=4, group=G, flags={Flag.WRITE, Flag.DENYOOM}, acl=L,
         keys=[KeySpec(1, flags={KS.RW, KS.UPDATE})],
         summary="Set the value of an element in a list by its index",
         complexity="O(N) where N is the length of the list. Setting either the first or the "
                    "last element of the list is O(1).")
def cmd_lset(c, key, index, element):
    """LSET key index element"""
    v = _list(c, key)
    if v is None:
        raise NO_SUCH_KEY
    i = to_int(index)
    if i is None:
        raise NOT_INTEGER
    n = len(v)
    if i < 0:
        i += n
    if not 0 <= i < n:
        raise INDEX_OUT_OF_RANGE
    v[i] = element
    c.written(key, b"lset")
    return OK


# ---------------------------------------------------------------- reads
@command("LLEN", arity=2, group=G, flags={Flag.READONLY, Flag.FAST}, acl=L, keys=RO_KEYS,
         summary="Get the length of a list", complexity="O(1)")
def cmd_llen(c, key):
    """LLEN key"""
    v = c.db.get(key)
    if v is None:
        return 0
    if v.__class__ is not List:
        raise WRONGTYPE
    return len(v)


@command("LINDEX", arity=3, group=G, flags={Flag.READONLY}, acl=L,
         keys=[KeySpec(1, flags={KS.RO, KS.ACCESS})],
         summary="Get an element from a list by its index",
         complexity="O(N) where N is the number of elements to traverse to get to the "
                    "element at index. This makes asking for the first or the last element "
                    "of the list O(1).")
def cmd_lindex(c, key, index):
    """LINDEX key index"""
    v = _list(c, key)
    if v is None:
        return None
    i = to_int(index)
    if i is None:
        raise NOT_INTEGER
    n = len(v)
    if i < 0:
        i += n
    return v[i] if 0 <= i < n else None


@command("LRANGE", arity=4, group=G, flags={Flag.READONLY}, acl=L,
         keys=[KeySpec(1, flags={KS.RO, KS.ACCESS})],
         summary="Get a range of elements from a list",
         complexity="O(S+N) where S is the distance of start offset from HEAD for small "
                    "lists, from nearest end (HEAD or TAIL) for large lists; and N is the "
                    "number of elements in the specified range.")
def cmd_lrange(c, key, start, stop):
    """LRANGE key start stop"""
    s = to_int(start)
    e = to_int(stop)
    if s is None or e is None:
        raise NOT_INTEGER
    v = c.db.get(key)
    if v is None:
        return []
    if v.__class__ is not List:
        raise WRONGTYPE
    n = len(v)
    if s < 0:
        s += n
        if s < 0:
            s = 0
    if e < 0:
        e += n
    elif e >= n:
        e = n - 1
    if s > e:
        return []
    if s <= n - 1 - e:                      # nearer the head (LRANGE 0 99)
        return list(islice(v, s, e + 1))
    return v.range(s, e)


@command("LPOS", arity=-3, group=G, since="6.0.6", flags={Flag.READONLY}, acl=L,
         keys=[KeySpec(1, flags={KS.RO, KS.ACCESS})],
         summary="Return the index of matching elements on a list",
         complexity="O(N) where N is the number of elements in the list, for the average "
                    "case. When searching for elements near the head or the tail of the list, "
                    "or when the MAXLEN option is provided, the command may run in constant "
                    "time.")
def cmd_lpos(c, key, element, *opts):
    """LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]"""
    rank, count, maxlen = 1, -1, 0
    i, n = 0, len(opts)
    while i < n:
        o = opts[i].lower()
        more = i + 1 < n
        if o == b"rank" and more:
            i += 1
            rank = to_int(opts[i])
            if rank is None:
                raise NOT_INTEGER
            if rank == 0:
                raise RANK_ZERO
        elif o == b"count" and more:
            i += 1
            count = to_int(opts[i])
            if count is None or count < 0:
                raise COUNT_NEGATIVE
        elif o == b"maxlen" and more:
            i += 1
            maxlen = to_int(opts[i])
            if maxlen is None or maxlen < 0:
                raise MAXLEN_NEGATIVE
        else:
            raise SYNTAX
        i += 1
    v = c.db.get(key)
    if v is None:
        return [] if count != -1 else None
    if v.__class__ is not List:
        raise WRONGTYPE
    size = len(v)
    from_tail = rank < 0
    if rank == LLONG_MIN:       # Redis negates it in a long: stays negative, skips nothing
        skip, unbounded = 0, True
    else:
        skip, unbounded = abs(rank) - 1, False
    it = reversed(v) if from_tail else iter(v)
    if maxlen:
        it = islice(it, maxlen)
    out = []
    matches = 0
    for idx, x in enumerate(it):
        if x == element:
            matches += 1
            if matches > skip:
                pos = size - 1 - idx if from_tail else idx
                if count == -1:
                    return pos
                out.append(pos)
                if count and not unbounded and matches - skip >= count:
                    break
    return out if count != -1 else None


# ---------------------------------------------------------------- pops
def _pop(c, key, args, left: bool, name: str):
    """LPOP/RPOP with a count argument (the plain form is inlined in the commands)."""
    if len(args) > 1:
        raise WrongArity(name)
    count = to_int(args[0])
    if count is None or count < 0:
        raise NOT_POSITIVE
    v = _list(c, key)
    if v is None:
        return NULL_ARRAY
    if not count:
        return []
    return _pop_range(c, key, v, left, count)


_POP_CX = "O(N) where N is the number of elements returned"
_POP_HIST = (("6.2.0", "Added the `count` argument."),)


@command("LPOP", arity=-2, group=G, flags={Flag.WRITE, Flag.FAST}, acl=L, keys=POP_KEYS,
         summary="Remove and get the first elements in a list", complexity=_POP_CX,
         history=_POP_HIST)
def cmd_lpop(c, key, *count):
    """LPOP key [count]"""
    if count:
        return _pop(c, key, count, True, "lpop")
    v = c.db.get(key)
    if v is None:
        return None
    if v.__class__ is not List:
        raise WRONGTYPE
    x = v.popleft()
    if v:
        c.written(key, b"lpop")
    else:
        _removed(c, key, v, True, 1)
    return x


@command("RPOP", arity=-2, group=G, flags={Flag.WRITE, Flag.FAST}, acl=L, keys=POP_KEYS,
         summary="Remove and get the last elements in a list", complexity=_POP_CX,
         history=_POP_HIST)
def cmd_rpop(c, key, *count):
    """RPOP key [count]"""
    if count:
        return _pop(c, key, count, False, "rpop")
    v = c.db.get(key)
    if v is None:
        return None
    if v.__class__ is not List:
        raise WRONGTYPE
    x = v.pop()
    if v:
        c.written(key, b"rpop")
    else:
        _removed(c, key, v, False, 1)
    return x


def _mpop_args(args):
    """numkeys key [key ...] LEFT|RIGHT [COUNT count] -> (keys, left, count)."""
    numkeys = to_int(args[0])
    if numkeys is None or numkeys < 1:
        raise NUMKEYS
    where = numkeys + 1
    if where >= len(args):
        raise SYNTAX
    left = _where(args[where])
    count = -1
    j, n = where + 1, len(args)
    while j < n:
        if count == -1 and args[j].lower() == b"count" and j + 1 < n:
            j += 1
            count = to_int(args[j])
            if count is None or count < 1:
                raise COUNT_POSITIVE
        else:
            raise SYNTAX
        j += 1
    return args[1:where], left, (1 if count == -1 else count)


def _mpop_from(c, key, v, left: bool, count: int) -> list:
    """listPopRangeAndReplyWithKey, replicated as [LR]POP key n."""
    n = min(count, len(v))
    c.rewrite(b"LPOP" if left else b"RPOP", key, b"%d" % n)
    return [key, _pop_range(c, key, v, left, count)]


@command("LMPOP", arity=-4, group=G, since="7.0.0", flags={Flag.WRITE, Flag.MOVABLEKEYS},
         acl=L, keys=[KeySpec(1, numkeys_at=0, flags={KS.RW, KS.ACCESS, KS.DELETE})],
         summary="Pop elements from a list",
         complexity="O(N+M) where N is the number of provided keys and M is the number of "
                    "elements returned.")
def cmd_lmpop(c, *args):
    """LMPOP numkeys key [key ...] LEFT | RIGHT [COUNT count]"""
    keys, left, count = _mpop_args(args)
    for key in keys:
        v = _list(c, key)
        if v:
            return _mpop_from(c, key, v, left, count)
    return NULL_ARRAY


# ---------------------------------------------------------------- blocking pops
def _serve_pop(c, key, rec):
    """A blocked BLPOP/BRPOP/BLMPOP waiter, served from key."""
    v = c.db.get(key)
    if v is None or v.__class__ is not List or not v:
        return NOT_SERVED
    left, count = rec.data
    if count < 0:
        c.rewrite(b"LPOP" if left else b"RPOP", key)
        x = v.popleft() if left else v.pop()
        _removed(c, key, v, left, 1)
        return [key, x]
    return _mpop_from(c, key, v, left, count)


def _blocking_pop(c, keys, left: bool, count: int, deadline: int):
    """blockingPopGenericCommand: the first non-empty key serves now, else block."""
    for key in keys:
        v = _list(c, key)
        if v:
            if count >= 0:
                return _mpop_from(c, key, v, left, count)
            c.rewrite(b"LPOP" if left else b"RPOP", key)
            x = v.popleft() if left else v.pop()
            _removed(c, key, v, left, 1)
            return [key, x]
    return block(c, keys, deadline, _serve_pop, NULL_ARRAY, (left, count))


_BPOP_CX = "O(N) where N is the number of provided keys."
_BPOP_HIST = (("6.0.0", "`timeout` is interpreted as a double instead of an integer."),)
_BPOP_KEYS = [KeySpec(1, last=-2, flags={KS.RW, KS.ACCESS, KS.DELETE})]
_BFLAGS = {Flag.WRITE, Flag.NOSCRIPT, Flag.BLOCKING}


@command("BLPOP", arity=-3, group=G, since="2.0.0", flags=_BFLAGS, acl=L, keys=_BPOP_KEYS,
         summary="Remove and get the first element in a list, or block until one is "
                 "available", complexity=_BPOP_CX, history=_BPOP_HIST)
def cmd_blpop(c, *args):
    """BLPOP key [key ...] timeout"""
    return _blocking_pop(c, args[:-1], True, -1, parse_timeout(c, args[-1]))


@command("BRPOP", arity=-3, group=G, since="2.0.0", flags=_BFLAGS, acl=L, keys=_BPOP_KEYS,
         summary="Remove and get the last element in a list, or block until one is "
                 "available", complexity=_BPOP_CX, history=_BPOP_HIST)
def cmd_brpop(c, *args):
    """BRPOP key [key ...] timeout"""
    return _blocking_pop(c, args[:-1], False, -1, parse_timeout(c, args[-1]))


@command("BLMPOP", arity=-5, group=G, since="7.0.0",
         flags={Flag.WRITE, Flag.BLOCKING, Flag.MOVABLEKEYS}, acl=L,
         keys=[KeySpec(2, numkeys_at=0, flags={KS.RW, KS.ACCESS, KS.DELETE})],
         summary="Pop elements from a list, or block until one is available",
         complexity="O(N+M) where N is the number of provided keys and M is the number of "
                    "elements returned.")
def cmd_blmpop(c, timeout, *args):
    """BLMPOP timeout numkeys key [key ...] LEFT | RIGHT [COUNT count]"""
    keys, left, count = _mpop_args(args)
    return _blocking_pop(c, keys, left, count, parse_timeout(c, timeout))


# ---------------------------------------------------------------- moves
def _lmove(c, src, dst, left_from: bool, left_to: bool):
    v = _list(c, src)
    if not v:
        return None
    return _move(c, src, v, dst, left_from, left_to)


@command("LMOVE", arity=5, group=G, since="6.2.0", flags={Flag.WRITE, Flag.DENYOOM}, acl=L,
         keys=MOVE_KEYS,
         summary="Pop an element from a list, push it to another list and return it",
         complexity="O(1)")
def cmd_lmove(c, source, destination, wherefrom, whereto):
    """LMOVE source destination LEFT | RIGHT LEFT | RIGHT"""
    return _lmove(c, source, destination, _where(wherefrom), _where(whereto))


@command("RPOPLPUSH", arity=3, group=G, since="1.2.0", flags={Flag.WRITE, Flag.DENYOOM},
         acl=L, keys=MOVE_KEYS,
         summary="Remove the last element in a list, prepend it to another list and return "
                 "it", complexity="O(1)", doc_flags=("deprecated",),
         deprecated_since="6.2.0", replaced_by="`LMOVE` with the `RIGHT` and `LEFT` arguments")
def cmd_rpoplpush(c, source, destination):
    """RPOPLPUSH source destination"""
    return _lmove(c, source, destination, False, True)


def _serve_move(c, key, rec):
    """A blocked BLMOVE/BRPOPLPUSH waiter, served from key (its source)."""
    v = c.db.get(key)
    if v is None or v.__class__ is not List or not v:
        return NOT_SERVED
    dst, left_from, left_to, legacy = rec.data
    value = _move(c, key, v, dst, left_from, left_to)
    if legacy:
        c.rewrite(b"RPOPLPUSH", key, dst)
    else:
        c.rewrite(b"LMOVE", key, dst, _side(left_from), _side(left_to))
    return value


def _blocking_move(c, src, dst, left_from, left_to, deadline, legacy: bool):
    v = _list(c, src)
    if v:
        value = _move(c, src, v, dst, left_from, left_to)
        if legacy:
            c.rewrite(b"RPOPLPUSH", src, dst)
        else:
            c.rewrite(b"LMOVE", src, dst, _side(left_from), _side(left_to))
        return value
    # a client that may not block gets the null bulk here (the timeout reply is *-1)
    r = block(c, (src,), deadline, _serve_move, NULL_ARRAY, (dst, left_from, left_to, legacy))
    return None if r is NULL_ARRAY else r


@command("BLMOVE", arity=6, group=G, since="6.2.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.NOSCRIPT, Flag.BLOCKING}, acl=L,
         keys=MOVE_KEYS,
         summary="Pop an element from a list, push it to another list and return it; or "
                 "block until one is available", complexity="O(1)")
def cmd_blmove(c, source, destination, wherefrom, whereto, timeout):
    """BLMOVE source destination LEFT | RIGHT LEFT | RIGHT timeout"""
    left_from = _where(wherefrom)
    left_to = _where(whereto)
    deadline = parse_timeout(c, timeout)
    return _blocking_move(c, source, destination, left_from, left_to, deadline, False)


@command("BRPOPLPUSH", arity=4, group=G, since="2.2.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.NOSCRIPT, Flag.BLOCKING}, acl=L,
         keys=MOVE_KEYS,
         summary="Pop an element from a list, push it to another list and return it; or "
                 "block until one is available", complexity="O(1)",
         history=(("6.0.0", "`timeout` is interpreted as a double instead of an integer."),),
         doc_flags=("deprecated",), deprecated_since="6.2.0",
         replaced_by="`BLMOVE` with the `RIGHT` and `LEFT` arguments")
def cmd_brpoplpush(c, source, destination, timeout):
    """BRPOPLPUSH source destination timeout"""
    deadline = parse_timeout(c, timeout)
    return _blocking_move(c, source, destination, False, True, deadline, True)


# ---------------------------------------------------------------- removals
@command("LREM", arity=4, group=G, flags={Flag.WRITE}, acl=L,
         keys=[KeySpec(1, flags={KS.RW, KS.DELETE})],
         summary="Remove elements from a list",
         complexity="O(N+M) where N is the length of the list and M is the number of "
                    "elements removed.")
def cmd_lrem(c, key, count, element):
    """LREM key count element"""
    n = to_int(count)
    if n is None:
        raise NOT_INTEGER
    v = _list(c, key)
    if v is None:
        return 0
    if n == 0:
        keep = [x for x in v if x != element]
        removed = len(v) - len(keep)
    else:
        limit = abs(n)
        keep = []
        removed = 0
        for x in (v if n > 0 else reversed(v)):
            if removed < limit and x == element:
                removed += 1
            else:
                keep.append(x)
        if n < 0:
            keep.reverse()
    if removed:
        v.clear()
        v.extend(keep)
        c.written(key, b"lrem", dirty=removed)
        if not v:
            c.db.delete(key)
            c.written(key, b"del", dirty=0)
    return removed


@command("LTRIM", arity=4, group=G, flags={Flag.WRITE}, acl=L,
         keys=[KeySpec(1, flags={KS.RW, KS.DELETE})],
         summary="Trim a list to the specified range",
         complexity="O(N) where N is the number of elements to be removed by the operation.")
def cmd_ltrim(c, key, start, stop):
    """LTRIM key start stop"""
    s = to_int(start)
    e = to_int(stop)
    if s is None or e is None:
        raise NOT_INTEGER
    v = _list(c, key)
    if v is None:
        return OK
    n = len(v)
    if s < 0:
        s += n
    if e < 0:
        e += n
    if s < 0:
        s = 0
    if s > e or s >= n:
        ltrim, rtrim = n, 0
    else:
        if e >= n:
            e = n - 1
        ltrim, rtrim = s, n - e - 1
    if ltrim + rtrim > n - ltrim - rtrim:      # keeping less than dropping: rebuild
        keep = v.range(ltrim, n - rtrim - 1) if ltrim + rtrim < n else []
        v.clear()
        v.extend(keep)
    else:
        for _ in range(ltrim):
            v.popleft()
        for _ in range(rtrim):
            v.pop()
    c.written(key, b"ltrim", dirty=ltrim + rtrim)
    if not v:
        c.db.delete(key)
        c.written(key, b"del", dirty=0)
    return OK
