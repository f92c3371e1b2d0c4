"""SORT and SORT_RO (Redis 7.0's sort.c) over lists, sets and sorted sets.

Numeric sorting parses each weight as C's strtod does (leading spaces, hex, inf accepted;
trailing garbage, NaN and out-of-range rejected with "One or more scores can't be converted
into double"), ties broken by the elements' bytes.  ALPHA compares bytes: with STORE as
memcmp, otherwise as strcoll, which in the C / C.UTF-8 locales Redis runs under is strcmp
(bytes up to the first NUL).  BY without '*' ("nosort") keeps the native order (a list's
or sorted set's, reversed by DESC); a set is then sorted ALPHA anyway when storing or in a
script, so the result replicates deterministically.  Missing BY weights count as 0 (or
sort first under ALPHA); a GET of a missing key or field answers null (stores "").
"""
from decimal import Decimal, InvalidOperation

from engine.commands import KS, Acl, Flag, KeySpec, command
from engine.errors import NOT_INTEGER, SYNTAX, WRONGTYPE, RedisError
from engine.parsing import to_int
from engine.types.hash import Hash
from engine.types.list import List
from engine.types.set import Set
from engine.types.zset import ZSet

_ACL = {Acl.SET, Acl.SORTEDSET, Acl.LIST, Acl.DANGEROUS}
_NOT_DOUBLE = RedisError("ERR One or more scores can't be converted into double")
_WS = b" \t\n\v\f\r"
_INF = float("inf")
_DBL_MIN = 2.2250738585072014e-308
_SRC_KEY = KeySpec(1, flags={KS.RO, KS.ACCESS})
_BY_GET = KeySpec(unknown=True, flags={KS.RO, KS.ACCESS},
                  notes="For the optional BY/GET keyword. It is marked 'unknown' because the "
                        "key names derive from the content of the key we sort")
_STORE = KeySpec(unknown=True, flags={KS.OW, KS.UPDATE},
                 notes="For the optional STORE keyword. It is marked 'unknown' because the "
                       "keyword can appear anywhere in the argument array")
_SKIP = {b"limit": 2, b"get": 1, b"by": 1}


def _sort_getkeys(argv):
    """sortGetKeys: the sorted key, plus the last STORE target."""
    keys = [(1, frozenset({KS.RO, KS.ACCESS}))]
    store = None
    i, n = 2, len(argv)
    while i < n:
        o = argv[i].lower()
        skip = _SKIP.get(o)
        if skip is not None:
            i += skip
        elif o == b"store" and i + 1 < n:
            store = i + 1
        i += 1
    if store is not None:
        keys.append((store, frozenset({KS.OW, KS.UPDATE})))
    return keys


def _sort_ro_getkeys(argv):
    return [(1, frozenset({KS.RO, KS.ACCESS}))]


def _cstr(b: bytes) -> bytes:
    """What C string functions see: the bytes before the first NUL."""
    i = b.find(b"\0")
    return b if i < 0 else b[:i]


def _strtod(b: bytes):
    """C's strtod with sort.c's checks (the whole C string parsed, no ERANGE, no NaN):
    a float, or None when not convertible."""
    s = _cstr(b).lstrip(_WS)
    if not s:
        return 0.0              # strtod("") parses nothing and stops at the terminator
    if s[-1] in _WS or b"_" in s:
        return None
    try:
        v = float(s)
    except ValueError:
        body = s.lstrip(b"+-")
        if body[:2].lower() != b"0x":
            return None
        try:
            v = float.fromhex(s.decode("ascii"))
        except (ValueError, OverflowError, UnicodeDecodeError):
            return None
    if v != v:
        return None
    if v in (_INF, -_INF):
        if s.lstrip(b"+-").lower() not in (b"inf", b"infinity"):
            return None         # ERANGE: overflow
    elif -_DBL_MIN < v < _DBL_MIN:
        try:
            if Decimal(s.decode("ascii")) != 0:
                return None     # ERANGE: underflow to a subnormal or zero
        except (InvalidOperation, UnicodeDecodeError):
            pass
    return v


def lookup_by_pattern(db, pattern: bytes, subst: bytes):
    """lookupKeyByPattern: '#' is the element itself; else the first '*' is replaced by
    the element and the key read as a string, or (pattern "...*...->field") as a hash
    field.  None when the key, the field or the right type is missing."""
    if pattern == b"#":
        return subst
    cpat = _cstr(pattern)
    p = cpat.find(b"*")
    if p < 0:
        return None
    f = cpat.find(b"->", p + 1)
    field = None
    if f >= 0 and f + 2 < len(cpat):
        field = pattern[f + 2:]
        key = pattern[:p] + subst + pattern[p + 1:f]
    else:
        key = pattern[:p] + subst + pattern[p + 1:]
    v = db.get(key)
    if v is None:
        return None
    if field is not None:
        if v.__class__ is not Hash:
            return None
        return v.get(field)
    if v.__class__ is bytes:
        return v
    if v.__class__ is bytearray:
        return bytes(v)
    return None


def _sort(c, key, args, readonly: bool):
    desc = alpha = dontsort = False
    limit_start, limit_count = 0, -1
    sortby = storekey = None
    gets = []
    j, n = 0, len(args)
    while j < n:
        o = args[j].lower()
        left = n - j - 1
        if o == b"asc":
            desc = False
        elif o == b"desc":
            desc = True
        elif o == b"alpha":
            alpha = True
        elif o == b"limit" and left >= 2:
            limit_start = to_int(args[j + 1])
            limit_count = to_int(args[j + 2])
            if limit_start is None or limit_count is None:
                raise NOT_INTEGER
            j += 2
        elif not readonly and o == b"store" and left >= 1:
            storekey = args[j + 1]
            j += 1
        elif o == b"by" and left >= 1:
            sortby = args[j + 1]
            dontsort = b"*" not in _cstr(sortby)
            j += 1
        elif o == b"get" and left >= 1:
            gets.append(args[j + 1])
            j += 1
        else:
            raise SYNTAX
        j += 1

    db = c.db
    v = db.get(key)
    if v is None:
        v = List()                  # a missing key sorts as an empty list
    elif v.__class__ is not List and v.__class__ is not Set and v.__class__ is not ZSet:
        raise WRONGTYPE
    is_set = v.__class__ is Set
    if dontsort and is_set and (storekey is not None or getattr(c, "is_script", False)):
        dontsort, alpha, sortby = False, True, None     # deterministic for replication

    vlen = len(v)
    start = max(limit_start, 0)
    end = vlen - 1 if limit_count < 0 else start + limit_count - 1
    if start >= vlen:
        start, end = vlen - 1, vlen - 2
    if end >= vlen:
        end = vlen - 1

    if dontsort and not is_set:
        # native order, only the requested range (reversed from the tail for DESC)
        if end >= start:
            if v.__class__ is List:
                if desc:
                    vec = v.range_reversed(vlen - 1 - end, vlen - 1 - start)
                else:
                    vec = v.range(start, end)
            else:
                order = v.order
                if desc:
                    vec = [m for _, m in order.slice(vlen - 1 - end, vlen - start)]
                    vec.reverse()
                else:
                    vec = [m for _, m in order.slice(start, end + 1)]
        else:
            vec = []
        end -= start
        start = 0
    else:
        if v.__class__ is List:
            vec = list(v)
        elif is_set:
            vec = v.ordered()
        else:
            vec = list(v.scores)
        if not dontsort:
            vec = _sorted(db, vec, sortby, alpha, desc, storekey is not None)

    count = end - start + 1
    if count <= 0:
        out_elems = []
    else:
        out_elems = vec[start:end + 1]

    if storekey is None:
        if not gets:
            return out_elems
        reply = []
        for e in out_elems:
            for g in gets:
                reply.append(lookup_by_pattern(db, g, e))
        return reply

    if gets:
        items = []
        for e in out_elems:
            for g in gets:
                val = lookup_by_pattern(db, g, e)
                items.append(b"" if val is None else val)
    else:
        items = out_elems
    if items:
        db.set(storekey, List(items))
        c.written(storekey, b"sortstore", dirty=len(items))
    elif db.delete(storekey):
        c.written(storekey, b"del")
    return len(items)


def _sorted(db, vec, sortby, alpha: bool, desc: bool, store: bool) -> list:
    """The comparison Redis's sortCompare makes, as a key."""
    if alpha:
        if sortby is not None:
            weights = [lookup_by_pattern(db, sortby, e) for e in vec]
            if store:
                keyed = [((0,) if w is None else (1, w), i) for i, w in enumerate(weights)]
            else:
                keyed = [((0,) if w is None else (1, _cstr(w)), i)
                         for i, w in enumerate(weights)]
            keyed.sort(key=lambda t: t[0], reverse=desc)
            return [vec[i] for _, i in keyed]
        return sorted(vec, key=None if store else _cstr, reverse=desc)
    keyed = []
    for e in vec:
        w = lookup_by_pattern(db, sortby, e) if sortby is not None else e
        if w is None:
            score = 0.0
        else:
            score = _strtod(w)
            if score is None:
                raise _NOT_DOUBLE
        keyed.append((score, e))
    keyed.sort(reverse=desc)
    return [e for _, e in keyed]


_SORT_CX = ("O(N+M*log(M)) where N is the number of elements in the list or set to sort, "
            "and M the number of returned elements. When the elements are not sorted, "
            "complexity is O(N).")


@command("SORT", arity=-2, group="generic", flags={Flag.WRITE, Flag.DENYOOM, Flag.MOVABLEKEYS},
         acl=_ACL, keys=[_SRC_KEY, _BY_GET, _STORE], getkeys=_sort_getkeys,
         summary="Sort the elements in a list, set or sorted set", complexity=_SORT_CX)
def cmd_sort(c, key, *args):
    """SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
    [ASC | DESC] [ALPHA] [STORE destination]"""
    return _sort(c, key, args, False)


@command("SORT_RO", arity=-2, group="generic", since="7.0.0",
         flags={Flag.READONLY, Flag.MOVABLEKEYS}, acl=_ACL, keys=[_SRC_KEY, _BY_GET],
         getkeys=_sort_ro_getkeys,
         summary="Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
         complexity=_SORT_CX)
def cmd_sort_ro(c, key, *args):
    """SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
    [ASC | DESC] [ALPHA]"""
    return _sort(c, key, args, True)
