"""The set group: SADD, SISMEMBER and friends, set algebra, SPOP/SRANDMEMBER, SSCAN.
Redis 7.0 encodings: intset (small, integers only) and hashtable."""
from engine.commands import KS, Acl, Flag, KeySpec, command
from engine.errors import SYNTAX, WRONGTYPE, RedisError
from engine.parsing import to_int
from engine.replies import SetReply
from engine.types.set import Set, fits_intset, sorted_if_intset

from .hash import (check_repeat, parse_cursor, random_count, read_lookup, scan_members,
                   scan_options)

S = {Acl.SET}
RO = [KeySpec(1, flags={KS.RO})]
RO_ACCESS = [KeySpec(1, flags={KS.RO, KS.ACCESS})]
ALL_RO = [KeySpec(1, last=-1, flags={KS.RO, KS.ACCESS})]


def _store_keys(dst_flags):
    return [KeySpec(1, flags=dst_flags), KeySpec(2, last=-1, flags={KS.RO, KS.ACCESS})]


NOT_POSITIVE = RedisError("ERR value is out of range, must be positive")
NUMKEYS = RedisError("ERR numkeys should be greater than 0")
NUMKEYS_ARGS = RedisError("ERR Number of keys can't be greater than number of args")
LIMIT_NEGATIVE = RedisError("ERR LIMIT can't be negative")

def _write_lookup(c, key):
    s = c.db.get(key)
    if s is not None and s.__class__ is not Set:
        raise WRONGTYPE
    return s


# ---------------------------------------------------------------- single-set writes
@command("SADD", arity=-3, group="set", since="1.0.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=S,
         keys=[KeySpec(1, flags={KS.RW, KS.INSERT})],
         summary="Add one or more members to a set",
         complexity="O(1) for each element added, so O(N) to add N elements when the "
                    "command is called with multiple arguments.",
         history=[("2.4.0", "Accepts multiple `member` arguments.")])
def cmd_sadd(c, key, *members):
    """SADD key member [member ...]"""
    db = c.db
    s = db.get(key)
    if s is None:               # setTypeCreate: the first member picks the encoding
        s = db.data[key] = Set((), to_int(members[0]) is not None)
    elif s.__class__ is not Set:
        raise WRONGTYPE
    if s.intset:
        added = s.add_members(members, c.engine.config.values)
    else:
        n = len(s)
        if len(members) == 1:
            s.add(members[0])
        else:
            s.update(members)
        added = len(s) - n
        if added:
            s.pool = None
    if added:
        c.written(key, b"sadd", dirty=added)
    return added


def _removed(c, key, s, deleted: int, event: bytes):
    """After removing members: notify, and delete the key when the set is empty."""
    if deleted:
        c.written(key, event, dirty=deleted)
        if not s:
            c.db.delete(key)
            c.written(key, b"del", dirty=0)


@command("SREM", arity=-3, group="set", since="1.0.0",
         flags={Flag.WRITE, Flag.FAST}, acl=S,
         keys=[KeySpec(1, flags={KS.RW, KS.DELETE})],
         summary="Remove one or more members from a set",
         complexity="O(N) where N is the number of members to be removed.",
         history=[("2.4.0", "Accepts multiple `member` arguments.")])
def cmd_srem(c, key, *members):
    """SREM key member [member ...]"""
    s = _write_lookup(c, key)
    if s is None:
        return 0
    n = len(s)
    if len(members) == 1:
        s.discard(members[0])
    else:
        s.difference_update(members)
    deleted = n - len(s)
    _removed(c, key, s, deleted, b"srem")
    return deleted


@command("SMOVE", arity=4, group="set", since="1.0.0",
         flags={Flag.WRITE, Flag.FAST}, acl=S,
         keys=[KeySpec(1, flags={KS.RW, KS.ACCESS, KS.DELETE}),
               KeySpec(2, flags={KS.RW, KS.INSERT})],
         summary="Move a member from one set to another", complexity="O(1)")
def cmd_smove(c, source, destination, member):
    """SMOVE source destination member"""
    db = c.db
    src = db.get(source)
    if src is None:
        return 0
    dst = db.get(destination)
    if src.__class__ is not Set or (dst is not None and dst.__class__ is not Set):
        raise WRONGTYPE
    if src is dst:
        return 1 if member in src else 0
    if member not in src:
        return 0
    src.discard(member)
    c.written(source, b"srem")
    if not src:
        db.delete(source)
        c.written(source, b"del", dirty=0)
    if dst is None:
        dst = db.data[destination] = Set((), to_int(member) is not None)
    if dst.add_members((member,), c.engine.config.values):
        c.written(destination, b"sadd")
    return 1


@command("SPOP", arity=-2, group="set", since="1.0.0",
         flags={Flag.WRITE, Flag.FAST}, acl=S,
         keys=[KeySpec(1, flags={KS.RW, KS.ACCESS, KS.DELETE})],
         summary="Remove and return one or multiple random members from a set",
         complexity="Without the count argument O(1), otherwise O(N) where N is the "
                    "value of the passed count.",
         history=[("3.2.0", "Added the `count` argument.")],
         tips=["nondeterministic_output"])
def cmd_spop(c, key, *args):
    """SPOP key [count]"""
    if args:
        if len(args) > 1:
            raise SYNTAX
        return _spop_count(c, key, args[0])
    s = c.db.get(key)
    if s is None:
        return None
    if s.__class__ is not Set:
        raise WRONGTYPE
    member = s.pop_random(c.engine.rng)
    c.written(key, b"spop")
    c.rewrite(b"SREM", key, member)
    if not s:
        c.db.delete(key)
        c.written(key, b"del", dirty=0)
    return member


SPOP_MOVE_STRATEGY_MUL = 5


def _spop_count(c, key, arg):
    count = to_int(arg)
    if count is None or count < 0:
        raise NOT_POSITIVE
    s = _write_lookup(c, key)
    if s is None or count == 0:
        return SetReply()
    size = len(s)
    cfg = c.engine.config.values
    if count >= size:                   # the whole set: the key goes, propagated as DEL
        out = sorted_if_intset(s, cfg)
        c.written(key, b"spop", dirty=size)
        c.db.delete(key)
        c.written(key, b"del", dirty=0)
        c.rewrite(b"DEL", key)
        return SetReply(out)
    popped = c.engine.rng.sample(s.exact_pool(), count)
    s.difference_update(popped)
    if (size - count) * SPOP_MOVE_STRATEGY_MUL <= count:
        # Redis moves the few remaining members into a new set, which gets the
        # encoding a fresh set of them would have (a hashtable can become an intset),
        # and replies with the old set's remains in its order
        if s.intset:
            popped.sort(key=int)
        s.intset = fits_intset(s, cfg)
        s.pool = None
    c.written(key, b"spop", dirty=count)
    # one SREM with every popped member (Redis sends one SREM per member)
    c.rewrite(b"SREM", key, *popped)
    return SetReply(popped)


# ---------------------------------------------------------------- single-set reads
@command("SISMEMBER", arity=3, group="set", since="1.0.0",
         flags={Flag.READONLY, Flag.FAST}, acl=S, keys=RO,
         summary="Determine if a given value is a member of a set", complexity="O(1)")
def cmd_sismember(c, key, member):
    """SISMEMBER key member"""
    s = c.db.get(key)
    if s is None:
        c.engine.stats.keyspace_misses += 1
        return 0
    c.engine.stats.keyspace_hits += 1
    if s.__class__ is not Set:
        raise WRONGTYPE
    return 1 if member in s else 0


@command("SMISMEMBER", arity=-3, group="set", since="6.2.0",
         flags={Flag.READONLY, Flag.FAST}, acl=S, keys=RO_ACCESS,
         summary="Returns the membership associated with the given elements for a set",
         complexity="O(N) where N is the number of elements being checked for membership")
def cmd_smismember(c, key, *members):
    """SMISMEMBER key member [member ...]"""
    s = read_lookup(c, key, Set)
    if s is None:
        return [0] * len(members)
    return [1 if m in s else 0 for m in members]


@command("SCARD", arity=2, group="set", since="1.0.0",
         flags={Flag.READONLY, Flag.FAST}, acl=S, keys=RO,
         summary="Get the number of members in a set", complexity="O(1)")
def cmd_scard(c, key):
    """SCARD key"""
    s = read_lookup(c, key, Set)
    return 0 if s is None else len(s)


@command("SMEMBERS", arity=2, group="set", since="1.0.0",
         flags={Flag.READONLY}, acl=S, keys=RO_ACCESS,
         summary="Get all the members in a set",
         complexity="O(N) where N is the set cardinality.",
         tips=["nondeterministic_output_order"])
def cmd_smembers(c, key):
    """SMEMBERS key"""
    s = read_lookup(c, key, Set)
    return SetReply() if s is None else SetReply(s.ordered())


SRANDMEMBER_SUB_STRATEGY_MUL = 3


@command("SRANDMEMBER", arity=-2, group="set", since="1.0.0",
         flags={Flag.READONLY}, acl=S, keys=RO_ACCESS,
         summary="Get one or multiple random members from a set",
         complexity="Without the count argument O(1), otherwise O(N) where N is the "
                    "absolute value of the passed count.",
         history=[("2.6.0", "Added the optional `count` argument.")],
         tips=["nondeterministic_output"])
def cmd_srandmember(c, key, *args):
    """SRANDMEMBER key [count]"""
    if not args:
        s = read_lookup(c, key, Set)
        return None if s is None else s.random_member(c.engine.rng)
    if len(args) > 1:
        raise SYNTAX
    n = random_count(args[0])
    s = read_lookup(c, key, Set)
    if s is None or n == 0:
        return []
    rng = c.engine.rng
    if n < 0 or n == 1:                 # with repetitions, in random order
        count = -n if n < 0 else 1
        check_repeat(c, count)
        return rng.choices(s.exact_pool(), k=count)
    if n >= len(s):                     # the whole set, in its order
        return s.ordered()
    return rng.sample(s.exact_pool(), n)


@command("SSCAN", arity=-3, group="set", since="2.8.0",
         flags={Flag.READONLY}, acl=S, keys=RO_ACCESS,
         summary="Incrementally iterate Set elements",
         complexity="O(1) for every call. O(N) for a complete iteration, including enough "
                    "command calls for the cursor to return back to 0. N is the number "
                    "of elements inside the collection..",
         tips=["nondeterministic_output"])
def cmd_sscan(c, key, cursor, *opts):
    """SSCAN key cursor [MATCH pattern] [COUNT count]"""
    cur = parse_cursor(cursor)
    s = read_lookup(c, key, Set)
    if s is None:
        return [b"0", []]
    count, rx = scan_options(opts)
    if s.intset:        # an intset is returned whole, whatever the cursor (as Redis)
        nxt, members = 0, s.ordered()
    else:
        nxt, members = scan_members(s, cur, count)
    if rx is not None:
        members = [m for m in members if rx.fullmatch(m) is not None]
    return [b"%d" % nxt, members]


# ---------------------------------------------------------------- set algebra
def _sources(c, keys) -> list:
    """The sets named by keys (None for a missing key); WRONGTYPE checked for all."""
    return [read_lookup(c, k, Set) for k in keys]


def _inter(sets):
    """SINTER over existing sets: members of the smallest set found in all the others,
    in the smallest set's order (ascending numbers when it is an intset)."""
    sets = sorted(sets, key=len)
    first = sets[0]
    others = [s for s in sets[1:] if s is not first]
    if not others:
        return first.ordered()
    if len(others) == 1:
        out = first & others[0]
    else:
        out = first.intersection(*others)
    if first.intset:
        return sorted(out, key=int)
    return list(out)


def _store(c, dst, members, event: bytes) -> int:
    """SINTERSTORE/SUNIONSTORE/SDIFFSTORE: replace dst with the result (TTL dropped),
    or delete it when the result is empty."""
    if members:
        c.db.set(dst, Set.build(members, c.engine.config.values))
        c.written(dst, event)
        return len(members)
    if c.db.delete(dst):
        c.written(dst, b"del")
    return 0


@command("SINTER", arity=-2, group="set", since="1.0.0",
         flags={Flag.READONLY}, acl=S, keys=ALL_RO,
         summary="Intersect multiple sets",
         complexity="O(N*M) worst case where N is the cardinality of the smallest set "
                    "and M is the number of sets.",
         tips=["nondeterministic_output_order"])
def cmd_sinter(c, *keys):
    """SINTER key [key ...]"""
    sets = _sources(c, keys)
    if None in sets:
        return SetReply()
    return SetReply(_inter(sets))


@command("SINTERSTORE", arity=-3, group="set", since="1.0.0",
         flags={Flag.WRITE, Flag.DENYOOM}, acl=S, keys=_store_keys({KS.RW, KS.UPDATE}),
         summary="Intersect multiple sets and store the resulting set in a key",
         complexity="O(N*M) worst case where N is the cardinality of the smallest set "
                    "and M is the number of sets.")
def cmd_sinterstore(c, destination, *keys):
    """SINTERSTORE destination key [key ...]"""
    sets = _sources(c, keys)
    members = () if None in sets else _inter(sets)
    return _store(c, destination, members, b"sinterstore")


@command("SINTERCARD", arity=-3, group="set", since="7.0.0",
         flags={Flag.READONLY, Flag.MOVABLEKEYS}, acl=S,
         keys=[KeySpec(1, numkeys_at=0, flags={KS.RO, KS.ACCESS})],
         summary="Intersect multiple sets and return the cardinality of the result",
         complexity="O(N*M) worst case where N is the cardinality of the smallest set "
                    "and M is the number of sets.")
def cmd_sintercard(c, numkeys, *args):
    """SINTERCARD numkeys key [key ...] [LIMIT limit]"""
    n = to_int(numkeys)
    if n is None or n < 1:
        raise NUMKEYS
    if n > len(args):
        raise NUMKEYS_ARGS
    limit = 0
    i = n
    while i < len(args):
        if args[i].lower() == b"limit" and i + 1 < len(args):
            limit = to_int(args[i + 1])
            if limit is None or limit < 0:
                raise LIMIT_NEGATIVE
            i += 2
        else:
            raise SYNTAX
    sets = _sources(c, args[:n])
    if None in sets:
        return 0
    sets.sort(key=len)
    first = sets[0]
    others = [s for s in sets[1:] if s is not first]
    if not limit or limit >= len(first):
        if not others:
            return len(first)
        if len(others) == 1:
            return len(first & others[0])
        return len(first.intersection(*others))
    found = 0
    for m in first:
        for o in others:
            if m not in o:
                break
        else:
            found += 1
            if found >= limit:
                break
    return found


def _union(sets) -> set:
    live = [s for s in sets if s is not None]
    if not live:
        return set()
    return set().union(*live)


def _diff(sets, cfg):
    """SDIFF: members of the first set in none of the others.  Returns (members, the
    result's encoding is intset) following Redis's choice of algorithm, which decides
    whether the temporary set ever held a non-integer or too many members."""
    first = sets[0]
    if first is None:
        return set(), True
    others = [s for s in sets[1:] if s is not None]
    if any(s is first for s in others):
        return set(), True
    out = first.difference(*others) if others else set(first)
    work1 = len(first) * (1 + len(others)) // 2     # algorithm 1: probe first's members
    work2 = len(first) + sum(len(s) for s in others)
    if work1 > work2:
        # algorithm 2 copies the whole first set before subtracting the others
        return out, fits_intset(first, cfg)
    return out, fits_intset(out, cfg)


@command("SUNION", arity=-2, group="set", since="1.0.0",
         flags={Flag.READONLY}, acl=S, keys=ALL_RO,
         summary="Add multiple sets",
         complexity="O(N) where N is the total number of elements in all given sets.",
         tips=["nondeterministic_output_order"])
def cmd_sunion(c, *keys):
    """SUNION key [key ...]"""
    out = _union(_sources(c, keys))
    return SetReply(sorted_if_intset(out, c.engine.config.values))


@command("SUNIONSTORE", arity=-3, group="set", since="1.0.0",
         flags={Flag.WRITE, Flag.DENYOOM}, acl=S, keys=_store_keys({KS.OW, KS.UPDATE}),
         summary="Add multiple sets and store the resulting set in a key",
         complexity="O(N) where N is the total number of elements in all given sets.")
def cmd_sunionstore(c, destination, *keys):
    """SUNIONSTORE destination key [key ...]"""
    return _store(c, destination, _union(_sources(c, keys)), b"sunionstore")


@command("SDIFF", arity=-2, group="set", since="1.0.0",
         flags={Flag.READONLY}, acl=S, keys=ALL_RO,
         summary="Subtract multiple sets",
         complexity="O(N) where N is the total number of elements in all given sets.",
         tips=["nondeterministic_output_order"])
def cmd_sdiff(c, *keys):
    """SDIFF key [key ...]"""
    out, intset = _diff(_sources(c, keys), c.engine.config.values)
    return SetReply(sorted(out, key=int) if intset else list(out))


@command("SDIFFSTORE", arity=-3, group="set", since="1.0.0",
         flags={Flag.WRITE, Flag.DENYOOM}, acl=S, keys=_store_keys({KS.OW, KS.UPDATE}),
         summary="Subtract multiple sets and store the resulting set in a key",
         complexity="O(N) where N is the total number of elements in all given sets.")
def cmd_sdiffstore(c, destination, *keys):
    """SDIFFSTORE destination key [key ...]"""
    out, intset = _diff(_sources(c, keys), c.engine.config.values)
    n = _store(c, destination, out, b"sdiffstore")
    if n:
        c.db.data[destination].intset = intset
    return n
