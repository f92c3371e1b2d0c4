"""LOLWUT: the version banner, and the computer art of earlier versions on request
(VERSION 5: Georg Nees's "Schotter" in braille dots; VERSION 6: an 8-bit skyline in the
terminal's four grays).  The art is random, so only its shape and captions match Redis."""
import math

from engine.commands import Flag, command
from engine.errors import RedisError
from engine.parsing import to_int
from engine.replies import Verbatim

_NOT_INT = RedisError("ERR value is not an integer or out of range")


def _long(arg: bytes) -> int:
    n = to_int(arg)
    if n is None:
        raise _NOT_INT
    return n


def _clamp(v: int, hi: int) -> int:
    return 1 if v < 1 else hi if v > hi else v


class _Canvas:
    __slots__ = ("w", "h", "px")

    def __init__(self, w: int, h: int, fill: int = 0):
        self.w, self.h = w, h
        self.px = bytearray([fill]) * (w * h)

    def get(self, x: int, y: int) -> int:
        return self.px[x + y * self.w] if 0 <= x < self.w and 0 <= y < self.h else 0

    def put(self, x: int, y: int, color: int):
        if 0 <= x < self.w and 0 <= y < self.h:
            self.px[x + y * self.w] = color

    def line(self, x0: int, y0: int, x1: int, y1: int):
        dx, dy = abs(x1 - x0), abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx - dy
        while True:                         # Bresenham
            self.put(x0, y0, 1)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 > -dy:
                err -= dy
                x0 += sx
            if e2 < dx:
                err += dx
                y0 += sy


def _schotter(rng, cols: int, per_row: int, per_col: int) -> bytes:
    width = cols * 2
    pad = 2 if width > 4 else 0
    side = (width - pad * 2) / per_row
    cv = _Canvas(width, int(side * per_col + pad * 2))
    radius = round(side / math.sqrt(2))
    for row in range(per_col):
        for col in range(per_row):
            cx = int(col * side + side / 2 + pad)
            cy = int(row * side + side / 2 + pad)
            angle = 0.0
            if row > 1:                     # more disorder further down
                r = [rng.random() / per_col * row * rng.choice((-1, 1)) for _ in range(3)]
                angle = r[0]
                cx = int(cx + r[1] * side / 3)
                cy = int(cy + r[2] * side / 3)
            k = math.pi / 4 + angle
            pts = [(round(math.sin(k + j * math.pi / 2) * radius + cx),
                    round(math.cos(k + j * math.pi / 2) * radius + cy)) for j in range(4)]
            for j in range(4):
                cv.line(*pts[j], *pts[(j + 1) % 4])
    out = []
    for y in range(0, cv.h, 4):             # one braille cell per 2x4 pixels
        for x in range(0, cv.w, 2):
            g = cv.get
            bits = (g(x, y) | g(x, y + 1) << 1 | g(x, y + 2) << 2 | g(x + 1, y) << 3
                    | g(x + 1, y + 1) << 4 | g(x + 1, y + 2) << 5 | g(x, y + 3) << 6
                    | g(x + 1, y + 3) << 7)
            out.append(chr(0x2800 + bits))
        if y != cv.h - 1:
            out.append("\n")
    return "".join(out).encode()


def _skyline(rng, cols: int, rows: int) -> bytes:
    cv = _Canvas(cols, rows, 3)
    rand = rng.randrange

    def building(xoff, width, height, color, windows):
        top = rows - height
        for y in range(rows - 1, top - 1, -1):
            for x in range(xoff, xoff + width):
                if y == top and (x <= xoff + 1 or x >= xoff + width - 2):
                    continue                # a narrower roof
                c = color
                if windows and xoff + 1 < x < xoff + width - 2 and top + 1 < y < rows - 2:
                    rx, ry = x - xoff - 1, y - top - 1
                    if (rx // 2) % 2 and ry % 2:    # windows two pixels wide, lit gray
                        c = cv.get(x - 1, y) if rx % 2 else 1 + rand(2)
                cv.put(x, y, c)

    for color in (2, 1):                    # lighter towers behind
        x = -10
        while x < cols:
            x += rand(8)
            w = 10 + rand(9)
            h = rows // 2 + rand(max(1, rows // (2 if color == 2 else 3)))
            building(x, w, h, color, False)
            x += w // 2 if color == 2 else w + 1
    x = -10
    while x < cols:                         # the black foreground, with lit windows
        x += rand(8)
        w = 5 + rand(14)
        if w % 4:
            w += w % 3
        building(x, w, rows // 3 + rand(max(1, rows // 2)), 0, True)
        x += w + 5
    esc = {0: "0;30;40m", 1: "0;90;100m", 2: "0;37;47m", 3: "0;97;107m"}
    lines = ["".join(f"\033[{esc[cv.get(x, y)]} \033[0m" for x in range(cols))
             for y in range(rows)]
    return "\n".join(lines).encode()


@command("LOLWUT", arity=-1, group="server", since="5.0.0", flags={Flag.READONLY, Flag.FAST},
         summary="Display some computer art and the Redis version")
def cmd_lolwut(c, *args):
    """LOLWUT [VERSION version]"""
    from engine.engine import REDIS_VERSION      # defined after the command modules load
    version = REDIS_VERSION
    if len(args) >= 2 and args[0].lower() == b"version":
        version = "%d.0.0" % (_long(args[1]) & 0xFFFFFFFF)
        args = args[2:]
    tail = b" Redis ver. " + REDIS_VERSION.encode() + b"\n"
    major = version.split(".")[0]
    if major == "5":
        nums = [_long(a) for a in args[:3]]
        cols, per_row, per_col = nums + [66, 8, 12][len(nums):]
        art = _schotter(c.engine.rng, _clamp(cols, 1000), _clamp(per_row, 200),
                        _clamp(per_col, 200))
        return Verbatim(art + b"\nGeorg Nees - schotter, plotter on paper, 1968." + tail)
    if major == "6":
        nums = [_long(a) for a in args[:2]]
        cols, rows = nums + [80, 20][len(nums):]
        art = _skyline(c.engine.rng, _clamp(cols, 1000), _clamp(rows, 1000))
        return Verbatim(art + b"\nDedicated to the 8 bit game developers of past and present."
                              b"\nOriginal 8 bit image from Plaguemon by hikikomori." + tail)
    return Verbatim(b"Redis ver. " + REDIS_VERSION.encode() + b"\n")
