"""Geo commands: same geohash scores, coordinates, distances and result order as Redis."""
import os
import random
import sys

import pytest
import redis

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SICILY = [(13.361389, 38.115556, "Palermo"), (15.087269, 37.502669, "Catania"),
          (12.758489, 38.788135, "edge1"), (17.241510, 38.788135, "edge2")]


@pytest.fixture
def sicily(r):
    for lon, lat, name in SICILY:
        r.geoadd("Sicily", (lon, lat, name))
    return r


def test_geoadd_stores_the_52_bit_score(sicily):
    assert sicily.zscore("Sicily", "Palermo") == 3479099956230698.0
    assert sicily.geoadd("Sicily", (13.361389, 38.115556, "Palermo")) == 0
    assert sicily.geoadd("Sicily", (13.4, 38.1, "Palermo"), ch=True) == 1


def raw_cmd(r, *args):
    """The reply as the server sent it, without redis-py's per-command parsing."""
    conn = r.connection_pool.get_connection()
    try:
        conn.send_command(*args)
        return conn.read_response()
    finally:
        r.connection_pool.release(conn)


def test_geopos_geodist_geohash(sicily):
    assert raw_cmd(sicily, "GEOPOS", "Sicily", "Palermo", "nope") == [
        [b"13.36138933897018433", b"38.11555639549629859"], None]
    assert raw_cmd(sicily, "GEODIST", "Sicily", "Palermo", "Catania") == b"166274.1516"
    assert raw_cmd(sicily, "GEODIST", "Sicily", "Palermo", "Catania", "km") == \
        b"166.2742"
    assert raw_cmd(sicily, "GEODIST", "Sicily", "Palermo", "nope") is None
    assert raw_cmd(sicily, "GEOHASH", "Sicily", "Palermo", "Catania", "x") == [
        b"sqc8b49rny0", b"sqdtr74hyu0", None]


@pytest.mark.parametrize("args", [
    ["FROMMEMBER", "Palermo", "BYRADIUS", "200", "km", "ASC", "WITHDIST", "WITHCOORD",
     "WITHHASH"],
    ["FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "DESC", "WITHDIST"],
    ["FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
    ["FROMLONLAT", "15", "37", "BYRADIUS", "400", "km", "COUNT", "2"],
    ["FROMLONLAT", "15", "37", "BYRADIUS", "400", "km", "COUNT", "1", "ANY"],
    ["FROMMEMBER", "Palermo", "BYBOX", "500", "200", "mi", "WITHHASH"],
])
def test_geosearch_variants(sicily, args):
    got = sicily.execute_command("GEOSEARCH", "Sicily", *args)
    assert got, args
    if "ASC" in args:
        assert got[0][0] == b"Palermo" and got[0][1] == b"0.0000"


def _random_searches(r, seed: int):
    rnd = random.Random(seed)
    pts = []
    for i in range(800):
        pts += [rnd.uniform(-20, 20), rnd.uniform(30, 60), f"p{i}"]
    r.execute_command("DEL", "pts")
    r.execute_command("GEOADD", "pts", *pts)
    results = []
    for _ in range(40):
        lon, lat = rnd.uniform(-20, 20), rnd.uniform(30, 60)
        rad = rnd.choice([10, 100, 300, 1000])
        results.append(raw_cmd(r, "GEOSEARCH", "pts", "FROMLONLAT", lon, lat,
                               "BYRADIUS", rad, "km", "WITHDIST", "WITHCOORD"))
        results.append(raw_cmd(r, "GEOSEARCH", "pts", "FROMLONLAT", lon, lat,
                               "BYBOX", rad, rad * 2, "km", "ASC", "COUNT", 5))
        results.append(raw_cmd(r, "GEORADIUS", "pts", lon, lat, rad, "mi", "COUNT", 3, "ANY"))
    r.execute_command("DEL", "pts")
    return results


@pytest.mark.ours_only("compares keyscope with redis-server inside the test")
def test_random_points_search_the_same_as_redis(ours):
    """800 random points, 120 searches: the same members, order, distances, coordinates."""
    import conftest
    theirs = conftest.get_server("redis").client()
    mine = ours.client()
    try:
        assert _random_searches(mine, 7) == _random_searches(theirs, 7)
    finally:
        theirs.close()
        mine.close()


def test_georadius_store_and_storedist(sicily):
    assert sicily.execute_command("GEORADIUS", "Sicily", 15, 37, 200, "km", "STORE",
                                  "near") == 2
    assert sicily.zrange("near", 0, -1) == [b"Palermo", b"Catania"]
    assert sicily.execute_command("GEORADIUSBYMEMBER", "Sicily", "Palermo", 200, "km",
                                  "STOREDIST", "dists") == 3
    assert sicily.zscore("dists", "Palermo") == 0.0
    assert sicily.execute_command("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", 15, 37,
                                  "BYRADIUS", 1, "m") == 0
    assert sicily.exists("dst") == 0


def _err(r, *args):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


def test_geo_errors(sicily):
    r = sicily
    assert _err(r, "GEOADD", "g", 200, 10, "a") == "invalid longitude,latitude pair 200.000000,10.000000"
    assert _err(r, "GEOADD", "g", "NX", "XX", 10, 10, "a") == "syntax error"
    assert _err(r, "GEOADD", "g", "abc", 1, "x") == "value is not a valid float"
    assert _err(r, "GEODIST", "Sicily", "Palermo", "Catania", "foo") == \
        "unsupported unit provided. please use M, KM, FT, MI"
    assert _err(r, "GEOSEARCH", "Sicily", "FROMMEMBER", "nope", "BYRADIUS", 1, "km") == \
        "could not decode requested zset member"
    assert _err(r, "GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "FROMLONLAT", 1, 2,
                "BYRADIUS", 1, "km") == "syntax error"
    assert _err(r, "GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", 1, "km",
                "COUNT", 0) == "COUNT must be > 0"
    assert _err(r, "GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", 1, "km",
                "ANY") == "the ANY argument requires COUNT argument"
    assert _err(r, "GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", -1, "km") == \
        "radius cannot be negative"
    assert _err(r, "GEOSEARCH", "Sicily", "WITHDIST", "x", "y", "z", "w") == "syntax error"
    assert _err(r, "GEOSEARCH", "Sicily", "ASC", "DESC", "WITHDIST", "WITHHASH", "ASC") == \
        "exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH"
    assert _err(r, "GEORADIUS_RO", "Sicily", 15, 37, 200, "km", "STORE", "x") == "syntax error"
    assert _err(r, "GEORADIUS", "Sicily", 15, 37, 200, "km", "WITHDIST", "STORE", "x") == \
        "STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
    assert _err(r, "GEOSEARCH", "Sicily", "FROMLONLAT", 1, 2, "BYBOX", -1, 2, "km") == \
        "height or width cannot be negative"
    r.set("str", "x")
    assert _err(r, "GEOPOS", "str", "a").startswith("WRONGTYPE")


def test_missing_key_replies(r):
    assert r.execute_command("GEOSEARCH", "nokey", "FROMLONLAT", 1, 2, "BYRADIUS", 1, "km") == []
    assert r.execute_command("GEOPOS", "nokey", "a") == [None]
    assert r.execute_command("GEODIST", "nokey", "a", "b") is None
