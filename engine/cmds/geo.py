"""The geo group on sorted sets: GEOADD, GEOPOS, GEODIST, GEOHASH, GEOSEARCH(STORE) and
the GEORADIUS family, following Redis 7.0's geo.c step by step."""
from engine import geo
from engine.commands import KS, Acl, Flag, KeySpec, command
from engine.errors import SYNTAX, WRONGTYPE, RedisError
from engine.parsing import to_float, to_int
from engine.replies import NULL_ARRAY
from engine.types.zset import ZSet
from .zset import cmd_zadd

GEO = {Acl.GEO}


def _zset(c, key):
    z = c.db.get(key)
    if z is not None and z.__class__ is not ZSet:
        raise WRONGTYPE
    return z


def _float(b: bytes, msg: str = "ERR value is not a valid float") -> float:
    v = to_float(b)
    if v is None:
        raise RedisError(msg)
    return v


def _lonlat(lon_b: bytes, lat_b: bytes):
    lon, lat = _float(lon_b), _float(lat_b)
    if not (geo.LONG_MIN <= lon <= geo.LONG_MAX and geo.LAT_MIN <= lat <= geo.LAT_MAX):
        raise RedisError("ERR invalid longitude,latitude pair %f,%f" % (lon, lat))
    return lon, lat


def _unit(b: bytes) -> float:
    u = geo.UNITS.get(b.lower())
    if u is None:
        raise RedisError("ERR unsupported unit provided. please use M, KM, FT, MI")
    return u


def _member_pos(z, member: bytes):
    score = z.scores.get(member) if z is not None else None
    return None if score is None else geo.decode_score(score)


@command("GEOADD", arity=-5, group="geo", since="3.2.0", flags={Flag.WRITE, Flag.DENYOOM},
         acl=GEO, keys=[KeySpec(1, flags={KS.RW, KS.UPDATE})],
         summary="Add one or more geospatial items in the geospatial index represented using "
                 "a sorted set",
         complexity="O(log(N)) for each item added, where N is the number of elements in the "
                    "sorted set.",
         history=[("6.2.0", "Added the `CH`, `NX` and `XX` options.")])
def cmd_geoadd(c, key, *args):
    """GEOADD key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]"""
    i, nx, xx = 0, False, False
    while i < len(args):
        o = args[i].lower()
        if o == b"nx":
            nx = True
        elif o == b"xx":
            xx = True
        elif o != b"ch":
            break
        i += 1
    if (len(args) - i) % 3 or (nx and xx):
        raise SYNTAX
    zargs = list(args[:i])
    for j in range(i, len(args), 3):
        lon, lat = _lonlat(args[j], args[j + 1])
        zargs += [b"%d" % geo.encode(lon, lat), args[j + 2]]
    c.rewrite(b"zadd", key, *zargs)          # Redis propagates the ZADD it runs
    return cmd_zadd(c, key, *zargs)


@command("GEOPOS", arity=-2, group="geo", since="3.2.0", flags={Flag.READONLY}, acl=GEO,
         keys=[KeySpec(1, flags={KS.RO, KS.ACCESS})],
         summary="Returns longitude and latitude of members of a geospatial index",
         complexity="O(N) where N is the number of members requested.")
def cmd_geopos(c, key, *members):
    """GEOPOS key [member [member ...]]"""
    z = _zset(c, key)
    out = []
    for m in members:
        pos = _member_pos(z, m)
        out.append(NULL_ARRAY if pos is None else [geo.format_coord(pos[0]),
                                                  geo.format_coord(pos[1])])
    return out


@command("GEODIST", arity=-4, group="geo", since="3.2.0", flags={Flag.READONLY}, acl=GEO,
         keys=[KeySpec(1, flags={KS.RO, KS.ACCESS})],
         summary="Returns the distance between two members of a geospatial index",
         complexity="O(log(N))")
def cmd_geodist(c, key, m1, m2, *unit):
    """GEODIST key member1 member2 [M | KM | FT | MI]"""
    to_meter = 1.0
    if len(unit) == 1:
        to_meter = _unit(unit[0])
    elif len(unit) > 1:
        raise SYNTAX
    z = _zset(c, key)
    a, b = _member_pos(z, m1), _member_pos(z, m2)
    if a is None or b is None:
        return None
    return b"%.4f" % (geo.distance(a[0], a[1], b[0], b[1]) / to_meter)


@command("GEOHASH", arity=-2, group="geo", since="3.2.0", flags={Flag.READONLY}, acl=GEO,
         keys=[KeySpec(1, flags={KS.RO, KS.ACCESS})],
         summary="Returns members of a geospatial index as standard geohash strings",
         complexity="O(log(N)) for each member requested, where N is the number of elements "
                    "in the sorted set.")
def cmd_geohash(c, key, *members):
    """GEOHASH key [member [member ...]]"""
    z = _zset(c, key)
    out = []
    for m in members:
        score = z.scores.get(m) if z is not None else None
        out.append(None if score is None else geo.geohash_string(score))
    return out


# flags of georadiusGeneric
COORDS, MEMBER, NOSTORE, SEARCH, SEARCHSTORE = 1, 2, 4, 8, 16


def _search(c, argv, src_index: int, flags: int):
    """georadiusGeneric: parse, find the candidates box by box, filter, sort, reply."""
    src = argv[src_index]
    z = _zset(c, src)
    shape = geo.Shape()
    storekey, storedist = None, False
    if flags & COORDS:
        base = 6
        shape.lon, shape.lat = _lonlat(argv[2], argv[3])
        shape.radius, shape.conversion = _distance(argv[4], argv[5])
    elif flags & MEMBER and z is None:
        base = 5
    elif flags & MEMBER:
        base = 5
        pos = _member_pos(z, argv[2])
        if pos is None:
            raise RedisError("ERR could not decode requested zset member")
        shape.lon, shape.lat = pos
        shape.radius, shape.conversion = _distance(argv[3], argv[4])
    else:
        base = 2
        if flags & SEARCHSTORE:
            base = 3
            storekey = argv[1]
    withdist = withhash = withcoord = any_ = False
    frommember = fromloc = byradius = bybox = False
    sort = None
    count = 0
    rest = argv[base:]
    n = len(rest)
    i = 0
    while i < n:
        a = rest[i].lower()
        if a == b"withdist":
            withdist = True
        elif a == b"withhash":
            withhash = True
        elif a == b"withcoord":
            withcoord = True
        elif a == b"any":
            any_ = True
        elif a == b"asc":
            sort = "asc"
        elif a == b"desc":
            sort = "desc"
        elif a == b"count" and i + 1 < n:
            count = to_int(rest[i + 1])
            if count is None:
                raise RedisError("ERR value is not an integer or out of range")
            if count <= 0:
                raise RedisError("ERR COUNT must be > 0")
            i += 1
        elif a in (b"store", b"storedist") and i + 1 < n and not flags & (NOSTORE | SEARCH):
            storekey = rest[i + 1]
            storedist = a == b"storedist"
            i += 1
        elif a == b"storedist" and flags & SEARCH and flags & SEARCHSTORE:
            storedist = True
        elif a == b"frommember" and i + 1 < n and flags & SEARCH and not fromloc:
            if z is not None:
                pos = _member_pos(z, rest[i + 1])
                if pos is None:
                    raise RedisError("ERR could not decode requested zset member")
                shape.lon, shape.lat = pos
            frommember = True
            i += 1
        elif a == b"fromlonlat" and i + 2 < n and flags & SEARCH and not frommember:
            shape.lon, shape.lat = _lonlat(rest[i + 1], rest[i + 2])
            fromloc = True
            i += 2
        elif a == b"byradius" and i + 2 < n and flags & SEARCH and not bybox:
            shape.radius, shape.conversion = _distance(rest[i + 1], rest[i + 2])
            byradius = True
            i += 2
        elif a == b"bybox" and i + 3 < n and flags & SEARCH and not byradius:
            w = _float(rest[i + 1], "ERR need numeric width")
            h = _float(rest[i + 2], "ERR need numeric height")
            if h < 0 or w < 0:
                raise RedisError("ERR height or width cannot be negative")
            shape.width, shape.height = w, h
            shape.conversion = _unit(rest[i + 3])
            bybox = True
            i += 3
        else:
            raise SYNTAX
        i += 1
    name = argv[0].decode("utf-8", "replace")
    if storekey is not None and (withdist or withhash or withcoord):
        raise RedisError("ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD "
                         "options" % ("GEOSEARCHSTORE" if flags & SEARCHSTORE
                                      else "STORE option in GEORADIUS"))
    if flags & SEARCH and not (frommember or fromloc):
        raise RedisError(f"ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for "
                         f"{name}")
    if flags & SEARCH and not (byradius or bybox):
        raise RedisError(f"ERR exactly one of BYRADIUS and BYBOX can be specified for {name}")
    if any_ and not count:
        raise RedisError("ERR the ANY argument requires COUNT argument")
    db = c.db
    if z is None:
        if storekey is not None:
            if db.delete(storekey):
                c.written(storekey, b"del")
            return 0
        return []
    if count and sort is None and not any_:
        sort = "asc"
    limit = count if any_ else 0
    found = []          # (dist_m, score, member, lon, lat)
    for lo, hi in shape.search_boxes():
        if limit and len(found) >= limit:
            break
        start, stop = z.range_by_score(float(lo), False, float(hi), True)
        for score, member in z.order.slice(start, stop):
            lon, lat = geo.decode_score(score)
            d = shape.contains(lon, lat)
            if d is not None:
                found.append((d, score, member, lon, lat))
                if limit and len(found) >= limit:
                    break
    if sort == "asc":
        found.sort(key=lambda p: p[0])
    elif sort == "desc":
        found.sort(key=lambda p: -p[0])
    if count:
        found = found[:count]
    conv = shape.conversion
    if storekey is None:
        if not (withdist or withhash or withcoord):
            return [p[2] for p in found]
        out = []
        for d, score, member, lon, lat in found:
            item = [member]
            if withdist:
                item.append(b"%.4f" % (d / conv))
            if withhash:
                item.append(int(score))
            if withcoord:
                item.append([geo.format_coord(lon), geo.format_coord(lat)])
            out.append(item)
        return out
    if not found:
        if db.delete(storekey):
            c.written(storekey, b"del")
        return 0
    scores = {p[2]: (p[0] / conv if storedist else p[1]) for p in found}
    db.set(storekey, ZSet.from_scores(scores, c.engine.config.values))
    c.written(storekey, b"geosearchstore" if flags & SEARCH else b"georadiusstore",
              dirty=len(found))
    return len(found)


def _distance(value: bytes, unit: bytes):
    d = _float(value, "ERR need numeric radius")
    if d < 0:
        raise RedisError("ERR radius cannot be negative")
    return d, _unit(unit)


_RADIUS_KEYS = [KeySpec(1, flags={KS.RO, KS.ACCESS}),
                KeySpec(6, keyword="STORE", flags={KS.OW, KS.UPDATE}),
                KeySpec(6, keyword="STOREDIST", flags={KS.OW, KS.UPDATE})]


@command("GEOSEARCH", arity=-7, group="geo", since="6.2.0", flags={Flag.READONLY}, acl=GEO,
         keys=[KeySpec(1, flags={KS.RO, KS.ACCESS})],
         summary="Query a sorted set representing a geospatial index to fetch members inside "
                 "an area of a box or a circle.",
         complexity="O(N+log(M)) where N is the number of elements in the grid-aligned "
                    "bounding box area around the shape provided as the filter and M is the "
                    "number of items inside the shape",
         history=[("7.0.0", "Added support for uppercase unit names.")])
def cmd_geosearch(c, key, *args):
    """GEOSEARCH key <FROMMEMBER member | FROMLONLAT longitude latitude> <BYRADIUS radius
    <M | KM | FT | MI> | BYBOX width height <M | KM | FT | MI>> [ASC | DESC] [COUNT count
    [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]"""
    return _search(c, c.argv, 1, SEARCH)


@command("GEOSEARCHSTORE", arity=-8, group="geo", since="6.2.0",
         flags={Flag.WRITE, Flag.DENYOOM}, acl=GEO,
         keys=[KeySpec(1, flags={KS.OW, KS.UPDATE}), KeySpec(2, flags={KS.RO, KS.ACCESS})],
         summary="Query a sorted set representing a geospatial index to fetch members inside "
                 "an area of a box or a circle, and store the result in another key.",
         complexity="O(N+log(M)) where N is the number of elements in the grid-aligned "
                    "bounding box area around the shape provided as the filter and M is the "
                    "number of items inside the shape",
         history=[("7.0.0", "Added support for uppercase unit names.")])
def cmd_geosearchstore(c, dst, src, *args):
    """GEOSEARCHSTORE destination source <FROMMEMBER member | FROMLONLAT longitude latitude>
    <BYRADIUS radius <M | KM | FT | MI> | BYBOX width height <M | KM | FT | MI>> [ASC | DESC]
    [COUNT count [ANY]] [STOREDIST]"""
    return _search(c, c.argv, 2, SEARCH | SEARCHSTORE)


@command("GEORADIUS", arity=-6, group="geo", since="3.2.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.MOVABLEKEYS}, acl=GEO, keys=_RADIUS_KEYS,
         summary="Query a sorted set representing a geospatial index to fetch members "
                 "matching a given maximum distance from a point",
         complexity="O(N+log(M)) where N is the number of elements inside the bounding box "
                    "of the circular area delimited by center and radius and M is the number "
                    "of items inside the index.",
         deprecated_since="6.2.0",
         doc_flags=["deprecated"],
         history=[("6.2.0", "Added the `ANY` option for `COUNT`."),
                  ("7.0.0", "Added support for uppercase unit names.")],
         replaced_by="`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument")
def cmd_georadius(c, key, *args):
    """GEORADIUS key longitude latitude radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST]
    [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]"""
    return _search(c, c.argv, 1, COORDS)


@command("GEORADIUSBYMEMBER", arity=-5, group="geo", since="3.2.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.MOVABLEKEYS}, acl=GEO,
         keys=[KeySpec(1, flags={KS.RO, KS.ACCESS}),
               KeySpec(5, keyword="STORE", flags={KS.OW, KS.UPDATE}),
               KeySpec(5, keyword="STOREDIST", flags={KS.OW, KS.UPDATE})],
         summary="Query a sorted set representing a geospatial index to fetch members "
                 "matching a given maximum distance from a member",
         complexity="O(N+log(M)) where N is the number of elements inside the bounding box "
                    "of the circular area delimited by center and radius and M is the number "
                    "of items inside the index.",
         deprecated_since="6.2.0",
         doc_flags=["deprecated"],
         history=[("7.0.0", "Added support for uppercase unit names.")],
         replaced_by="`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` "
                     "arguments")
def cmd_georadiusbymember(c, key, *args):
    """GEORADIUSBYMEMBER key member radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST]
    [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]"""
    return _search(c, c.argv, 1, MEMBER)


@command("GEORADIUS_RO", arity=-6, group="geo", since="3.2.10", flags={Flag.READONLY},
         acl=GEO, keys=[KeySpec(1, flags={KS.RO, KS.ACCESS})],
         summary="A read-only variant for GEORADIUS",
         complexity="O(N+log(M)) where N is the number of elements inside the bounding box "
                    "of the circular area delimited by center and radius and M is the number "
                    "of items inside the index.",
         deprecated_since="6.2.0",
         doc_flags=["deprecated"],
         history=[("6.2.0", "Added the `ANY` option for `COUNT`.")],
         replaced_by="`GEOSEARCH` with the `BYRADIUS` argument")
def cmd_georadius_ro(c, key, *args):
    """GEORADIUS_RO key longitude latitude radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST]
    [WITHHASH] [COUNT count [ANY]] [ASC | DESC]"""
    return _search(c, c.argv, 1, COORDS | NOSTORE)


@command("GEORADIUSBYMEMBER_RO", arity=-5, group="geo", since="3.2.10",
         flags={Flag.READONLY}, acl=GEO, keys=[KeySpec(1, flags={KS.RO, KS.ACCESS})],
         summary="A read-only variant for GEORADIUSBYMEMBER",
         complexity="O(N+log(M)) where N is the number of elements inside the bounding box "
                    "of the circular area delimited by center and radius and M is the number "
                    "of items inside the index.",
         deprecated_since="6.2.0",
         doc_flags=["deprecated"],
         replaced_by="`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments")
def cmd_georadiusbymember_ro(c, key, *args):
    """GEORADIUSBYMEMBER_RO key member radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST]
    [WITHHASH] [COUNT count [ANY]] [ASC | DESC]"""
    return _search(c, c.argv, 1, MEMBER | NOSTORE)
