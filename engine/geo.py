"""Redis's geohash math (geohash.c, geohash_helper.c): 52-bit interleaved scores on the
Mercator-limited WGS84 ranges, the 9-box neighbour search, haversine distances."""
from __future__ import annotations

import math

LONG_MIN, LONG_MAX = -180.0, 180.0
LAT_MIN, LAT_MAX = -85.05112878, 85.05112878
STEP_MAX = 26
EARTH_RADIUS_IN_METERS = 6372797.560856
MERCATOR_MAX = 20037726.37
D_R = math.pi / 180.0
M64 = (1 << 64) - 1
UNITS = {b"m": 1.0, b"km": 1000.0, b"ft": 0.3048, b"mi": 1609.34}


def _spread(v: int) -> int:
    """Spread the 32 bits of v to the even bit positions of a 64-bit word."""
    v &= 0xFFFFFFFF
    v = (v | (v << 16)) & 0x0000FFFF0000FFFF
    v = (v | (v << 8)) & 0x00FF00FF00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v << 2)) & 0x3333333333333333
    v = (v | (v << 1)) & 0x5555555555555555
    return v


def _squash(v: int) -> int:
    v &= 0x5555555555555555
    v = (v | (v >> 1)) & 0x3333333333333333
    v = (v | (v >> 2)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v >> 4)) & 0x00FF00FF00FF00FF
    v = (v | (v >> 8)) & 0x0000FFFF0000FFFF
    v = (v | (v >> 16)) & 0x00000000FFFFFFFF
    return v


def encode(lon: float, lat: float, step: int = STEP_MAX, lon_range=(LONG_MIN, LONG_MAX),
           lat_range=(LAT_MIN, LAT_MAX)) -> int | None:
    """geohashEncode: latitude in the even bits, longitude in the odd ones."""
    if not (LONG_MIN <= lon <= LONG_MAX and LAT_MIN <= lat <= LAT_MAX):
        return None
    if not (lat_range[0] <= lat <= lat_range[1] and lon_range[0] <= lon <= lon_range[1]):
        return None
    lat_off = (lat - lat_range[0]) / (lat_range[1] - lat_range[0]) * (1 << step)
    lon_off = (lon - lon_range[0]) / (lon_range[1] - lon_range[0]) * (1 << step)
    return _spread(int(lat_off)) | (_spread(int(lon_off)) << 1)


def decode_area(bits: int, step: int, lon_range=(LONG_MIN, LONG_MAX),
                lat_range=(LAT_MIN, LAT_MAX)):
    """((lon_min, lon_max), (lat_min, lat_max)) of a hash cell."""
    ilat = _squash(bits)
    ilon = _squash(bits >> 1)
    div = float(1 << step)
    lat_scale = lat_range[1] - lat_range[0]
    lon_scale = lon_range[1] - lon_range[0]
    return ((lon_range[0] + (ilon * 1.0 / div) * lon_scale,
             lon_range[0] + ((ilon + 1) * 1.0 / div) * lon_scale),
            (lat_range[0] + (ilat * 1.0 / div) * lat_scale,
             lat_range[0] + ((ilat + 1) * 1.0 / div) * lat_scale))


def decode_score(score: float) -> tuple[float, float]:
    """(lon, lat): the centre of the cell a 52-bit score names, clamped to the limits."""
    (lo0, lo1), (la0, la1) = decode_area(int(score), STEP_MAX)
    lon = min(max((lo0 + lo1) / 2, LONG_MIN), LONG_MAX)
    lat = min(max((la0 + la1) / 2, LAT_MIN), LAT_MAX)
    return lon, lat


def distance(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine great-circle distance in meters (geohashGetDistance)."""
    lat1r, lon1r = lat1 * D_R, lon1 * D_R
    lat2r, lon2r = lat2 * D_R, lon2 * D_R
    u = math.sin((lat2r - lat1r) / 2)
    v = math.sin((lon2r - lon1r) / 2)
    return 2.0 * EARTH_RADIUS_IN_METERS * math.asin(math.sqrt(u * u + math.cos(lat1r) *
                                                              math.cos(lat2r) * v * v))


def steps_for_radius(range_m: float, lat: float) -> int:
    if range_m == 0:
        return 26
    step = 1
    while range_m < MERCATOR_MAX:
        range_m *= 2
        step += 1
    step -= 2
    if lat > 66 or lat < -66:
        step -= 1
        if lat > 80 or lat < -80:
            step -= 1
    return max(1, min(26, step))


def _move_x(bits: int, step: int, d: int) -> int:
    x = bits & 0xAAAAAAAAAAAAAAAA
    y = bits & 0x5555555555555555
    zz = 0x5555555555555555 >> (64 - step * 2)
    if d > 0:
        x = (x + (zz + 1)) & M64
    else:
        x = ((x | zz) - (zz + 1)) & M64
    x &= 0xAAAAAAAAAAAAAAAA >> (64 - step * 2)
    return x | y


def _move_y(bits: int, step: int, d: int) -> int:
    x = bits & 0xAAAAAAAAAAAAAAAA
    y = bits & 0x5555555555555555
    zz = 0xAAAAAAAAAAAAAAAA >> (64 - step * 2)
    if d > 0:
        y = (y + (zz + 1)) & M64
    else:
        y = ((y | zz) - (zz + 1)) & M64
    y &= 0x5555555555555555 >> (64 - step * 2)
    return x | y


def neighbors(bits: int, step: int) -> dict:
    m = _move_x
    n = _move_y
    return {"east": m(bits, step, 1), "west": m(bits, step, -1),
            "south": n(bits, step, -1), "north": n(bits, step, 1),
            "north_west": n(m(bits, step, -1), step, 1),
            "south_west": n(m(bits, step, -1), step, -1),
            "north_east": n(m(bits, step, 1), step, 1),
            "south_east": n(m(bits, step, 1), step, -1)}


class Shape:
    """A search shape: centre (lon, lat), a radius or a box (in the unit), conversion to m."""
    __slots__ = ("lon", "lat", "radius", "width", "height", "conversion")

    def __init__(self):
        self.lon = self.lat = 0.0
        self.radius = None
        self.width = self.height = 0.0
        self.conversion = 1.0

    def bounding_box(self):
        if self.radius is not None:
            height = width = self.conversion * self.radius
        else:
            height = self.conversion * self.height / 2
            width = self.conversion * self.width / 2
        lat_delta = (height / EARTH_RADIUS_IN_METERS) / D_R
        top = (width / EARTH_RADIUS_IN_METERS / math.cos((self.lat + lat_delta) * D_R)) / D_R
        bottom = (width / EARTH_RADIUS_IN_METERS / math.cos((self.lat - lat_delta) * D_R)) / D_R
        delta = bottom if self.lat < 0 else top
        return self.lon - delta, self.lat - lat_delta, self.lon + delta, self.lat + lat_delta

    def contains(self, lon: float, lat: float):
        """The distance in meters when the point is inside, else None."""
        if self.radius is not None:
            d = distance(self.lon, self.lat, lon, lat)
            return d if d <= self.radius * self.conversion else None
        lon_d = distance(lon, lat, self.lon, lat)
        lat_d = distance(lon, lat, lon, self.lat)
        if lon_d > self.width * self.conversion / 2 or lat_d > self.height * self.conversion / 2:
            return None
        return distance(self.lon, self.lat, lon, lat)

    def search_boxes(self) -> list[tuple[int, int]]:
        """geohashCalculateAreasByShapeWGS84 + membersOfAllNeighbors' order: the
        (min, max) score ranges [min, max) to scan, centre first."""
        min_lon, min_lat, max_lon, max_lat = self.bounding_box()
        if self.radius is not None:
            radius_m = self.radius
        else:
            radius_m = math.sqrt((self.width / 2) ** 2 + (self.height / 2) ** 2)
        radius_m *= self.conversion
        steps = steps_for_radius(radius_m, self.lat)
        bits = encode(self.lon, self.lat, steps) or 0
        nb = neighbors(bits, steps)
        (c_lon0, c_lon1), (c_lat0, c_lat1) = decode_area(bits, steps)
        north = decode_area(nb["north"], steps)
        south = decode_area(nb["south"], steps)
        east = decode_area(nb["east"], steps)
        west = decode_area(nb["west"], steps)
        if (north[1][1] < max_lat or south[1][0] > min_lat or east[0][1] < max_lon
                or west[0][0] > min_lon) and steps > 1:
            steps -= 1
            bits = encode(self.lon, self.lat, steps) or 0
            nb = neighbors(bits, steps)
            (c_lon0, c_lon1), (c_lat0, c_lat1) = decode_area(bits, steps)
        zero = set()
        if steps >= 2:
            if c_lat0 < min_lat:
                zero |= {"south", "south_west", "south_east"}
            if c_lat1 > max_lat:
                zero |= {"north", "north_east", "north_west"}
            if c_lon0 < min_lon:
                zero |= {"west", "south_west", "north_west"}
            if c_lon1 > max_lon:
                zero |= {"east", "south_east", "north_east"}
        order = [("center", bits)] + [(k, nb[k]) for k in (
            "north", "south", "east", "west", "north_east", "north_west", "south_east",
            "south_west")]
        boxes, last = [], None
        for name, b in order:
            if name in zero:
                continue
            if last is not None and b == last:
                continue                  # huge radii: adjacent boxes can coincide
            last = b
            boxes.append((b << (52 - steps * 2), (b + 1) << (52 - steps * 2)))
        return boxes


def geohash_string(score: float) -> bytes:
    """GEOHASH: the standard 11-char geohash (re-encoded on -90..90 latitudes)."""
    lon, lat = decode_score(score)
    bits = encode(lon, lat, 26, (-180.0, 180.0), (-90.0, 90.0)) or 0
    alphabet = b"0123456789bcdefghjkmnpqrstuvwxyz"
    out = bytearray()
    for i in range(11):
        idx = 0 if i == 10 else (bits >> (52 - (i + 1) * 5)) & 0x1F
        out.append(alphabet[idx])
    return bytes(out)


def format_coord(v: float) -> bytes:
    """addReplyHumanLongDouble: %.17Lf of the exact double, trailing zeros removed."""
    s = b"%.17f" % v
    if b"." in s:
        s = s.rstrip(b"0").rstrip(b".")
    return s
